package dev.torpor.pool.process;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Model-less function processes started ahead of demand: each has its JVM up, ONNX Runtime initialized and
 * its load path warmed up ({@code FunctionHost --warm-up}), so a cold start that takes one only loads the
 * model. Size 0 disables the pool.
 *
 * <p>Two measured rules keep a pooled process's advantage on a small machine:
 * <ul>
 * <li>Taking a process does <em>not</em> start its replacement at once: a JVM starting next to the model
 *     load competes for the same cores (measured on 2 cores: the pooled load took ~130 ms instead of ~30 ms).
 *     The caller calls {@link #refill()} once its cold start is done.</li>
 * <li>When no process is ready but one is starting, a taker waits for that one rather than starting a
 *     fresh JVM, which could only be ready later.</li>
 * </ul>
 * A process that dies while it waits is dropped and replaced.
 *
 * <p>Thread-safe.
 */
final class WarmPool implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WarmPool.class.getName());

    private final int size;
    private final Supplier<HostProcess> starter;
    private final Executor spawner;
    private final Deque<HostProcess> ready = new ArrayDeque<>();
    /** Takers waiting for a process that is starting; each is promised one of {@link #starting}. */
    private final Deque<CompletableFuture<HostProcess>> waiting = new ArrayDeque<>();
    private int starting;
    private boolean closed;

    /**
     * @param starter starts one process and waits for its HELLO (blocking), or throws
     * @param spawner runs the starter in the background
     */
    WarmPool(int size, Supplier<HostProcess> starter, Executor spawner) {
        this.size = size;
        this.starter = starter;
        this.spawner = spawner;
    }

    int size() {
        return size;
    }

    /**
     * A pooled process: completed at once when one is ready, pending when one is starting (it completes
     * with that one, or with null when that start fails), empty when the pool has none. The pool is not
     * refilled here: call {@link #refill()} when the cold start is done.
     */
    Optional<CompletableFuture<HostProcess>> take() {
        synchronized (this) {
            while (!ready.isEmpty()) {
                HostProcess candidate = ready.pollFirst();
                if (candidate.isAlive()) {
                    return Optional.of(CompletableFuture.completedFuture(candidate));
                }
            }
            if (!closed && starting > waiting.size()) {
                CompletableFuture<HostProcess> promised = new CompletableFuture<>();
                waiting.addLast(promised);
                return Optional.of(promised);
            }
        }
        return Optional.empty();
    }

    /** Processes ready now; for tests and views. */
    synchronized int readyCount() {
        ready.removeIf(process -> !process.isAlive());
        return ready.size();
    }

    /** Starts processes until ready plus starting (less those promised to waiting takers) reaches the size. */
    void refill() {
        int toStart;
        synchronized (this) {
            if (closed) {
                return;
            }
            ready.removeIf(process -> !process.isAlive());
            toStart = size - ready.size() - (starting - waiting.size());
            starting += Math.max(0, toStart);
        }
        for (int i = 0; i < toStart; i++) {
            spawner.execute(this::startOne);
        }
    }

    private void startOne() {
        HostProcess started = null;
        try {
            started = starter.get();
        } catch (RuntimeException failed) {
            LOG.log(System.Logger.Level.WARNING, "could not start a warm function process: {0}", failed.getMessage());
        }
        boolean keep;
        CompletableFuture<HostProcess> taker;
        synchronized (this) {
            starting--;
            taker = waiting.pollFirst();
            keep = taker == null && started != null && !closed;
            if (keep) {
                ready.addLast(started);
            }
        }
        if (taker != null) {
            // A failed start completes its taker with null: it starts a fresh process itself.
            taker.complete(closed ? null : started);
            if (started != null && closed) {
                started.stop(Duration.ofSeconds(2));
            }
            return;
        }
        if (started != null && !keep) {
            started.stop(Duration.ofSeconds(2));
        }
        if (keep) {
            // A pooled process that dies is replaced, so the pool stays full.
            HostProcess pooled = started;
            started.death().thenRun(() -> {
                boolean wasWaiting;
                synchronized (this) {
                    wasWaiting = ready.remove(pooled);
                }
                if (wasWaiting) {
                    refill();
                }
            });
        }
    }

    @Override
    public void close() {
        Deque<HostProcess> toStop;
        Deque<CompletableFuture<HostProcess>> takers;
        synchronized (this) {
            closed = true;
            toStop = new ArrayDeque<>(ready);
            ready.clear();
            takers = new ArrayDeque<>(waiting);
            waiting.clear();
        }
        takers.forEach(taker -> taker.complete(null));
        toStop.forEach(process -> process.stop(Duration.ofSeconds(2)));
    }
}
