package dev.torpor.pool.process;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Model-less function processes started ahead of demand: each has its JVM up and ONNX Runtime
 * initialized, so a cold start that takes one only loads the model. Taking one starts a replacement in
 * the background; a process that dies while it waits is dropped and replaced. Size 0 disables the pool.
 *
 * <p>Thread-safe.
 */
final class WarmPool implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WarmPool.class.getName());

    private final int size;
    private final Supplier<HostProcess> starter;
    private final Executor spawner;
    private final Deque<HostProcess> ready = new ArrayDeque<>();
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

    /** A started process, if one is ready; the pool refills in the background either way. */
    Optional<HostProcess> take() {
        HostProcess taken = null;
        synchronized (this) {
            while (!ready.isEmpty()) {
                HostProcess candidate = ready.pollFirst();
                if (candidate.isAlive()) {
                    taken = candidate;
                    break;
                }
            }
        }
        refill();
        return Optional.ofNullable(taken);
    }

    /** Processes ready now; for tests and views. */
    synchronized int readyCount() {
        ready.removeIf(process -> !process.isAlive());
        return ready.size();
    }

    /** Starts processes until ready plus starting reaches the pool's size. */
    void refill() {
        int toStart;
        synchronized (this) {
            if (closed) {
                return;
            }
            ready.removeIf(process -> !process.isAlive());
            toStart = size - ready.size() - starting;
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
        synchronized (this) {
            starting--;
            keep = started != null && !closed;
            if (keep) {
                ready.addLast(started);
            }
        }
        if (started != null && !keep) {
            started.stop(java.time.Duration.ofSeconds(2));
        }
        if (started != null) {
            // A pooled process that dies is replaced, so the pool stays full.
            started.death().thenRun(this::refill);
        }
    }

    @Override
    public void close() {
        Deque<HostProcess> toStop;
        synchronized (this) {
            closed = true;
            toStop = new ArrayDeque<>(ready);
            ready.clear();
        }
        toStop.forEach(process -> process.stop(java.time.Duration.ofSeconds(2)));
    }
}
