package dev.torpor.function;

import dev.torpor.error.EngineFailure;
import dev.torpor.error.ModelLoadFailed;
import dev.torpor.error.TorporException;
import dev.torpor.store.ModelManifest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A function instance inside the current JVM: an engine session plus a fixed set of platform threads that
 * run it. Platform threads, because the engines block inside native code, where a virtual thread would pin
 * its carrier anyway. The threads exist only between {@link #load()} and {@link #stop()}.
 */
public final class LocalFunctionInstance implements FunctionInstance {
    private static final System.Logger LOG = System.getLogger(LocalFunctionInstance.class.getName());
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final String id;
    private final ModelManifest manifest;
    private final Path artifact;
    private final Backend backend;
    private final RuntimeOptions options;
    private final int threads;
    private final Batching batching;
    private final Instant startedAt;
    private final Lifecycle lifecycle = new Lifecycle();
    private final LongAdder busyNanos = new LongAdder();
    private final LongAdder runs = new LongAdder();

    private CompletableFuture<Duration> loading;
    private ExecutorService executor;
    private volatile Session session;
    private volatile BatchingRunner batcher;

    /**
     * @param threads how many requests the instance runs at once (the model's {@code concurrencyPerInstance})
     */
    public LocalFunctionInstance(String id, ModelManifest manifest, Path artifact, Backend backend,
                                 RuntimeOptions options, int threads, Clock clock) {
        this(id, manifest, artifact, backend, options, threads, Batching.OFF, clock);
    }

    /**
     * @param threads  how many engine calls the instance runs at once (the model's {@code concurrencyPerInstance})
     * @param batching dynamic batching; applied only when the model is {@linkplain Batcher#batchable batchable}
     */
    public LocalFunctionInstance(String id, ModelManifest manifest, Path artifact, Backend backend,
                                 RuntimeOptions options, int threads, Batching batching, Clock clock) {
        if (threads < 1) {
            throw new IllegalArgumentException("an instance needs at least one thread");
        }
        this.id = id;
        this.manifest = manifest;
        this.artifact = artifact;
        this.backend = backend;
        this.options = options;
        this.threads = threads;
        this.batching = batching;
        this.startedAt = clock.instant();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public InstanceState state() {
        return lifecycle.state();
    }

    @Override
    public Instant startedAt() {
        return startedAt;
    }

    @Override
    public synchronized CompletableFuture<Duration> load() {
        if (loading != null) {
            return loading;
        }
        if (!lifecycle.moveTo(InstanceState.LOADING)) {
            return loading = CompletableFuture.failedFuture(
                    new ModelLoadFailed("instance " + id + " is " + state() + " and cannot load", null));
        }
        executor = Executors.newFixedThreadPool(threads, namedDaemonThreads(id));
        loading = CompletableFuture.supplyAsync(this::openSession, executor);
        return loading;
    }

    private Duration openSession() {
        long begin = System.nanoTime();
        try {
            Session opened = backend.open(manifest, artifact, options);
            session = opened;
            if (batching.enabled() && Batcher.batchable(manifest.signature())) {
                BatchingRunner runner = new BatchingRunner(id, opened, batching, busyNanos, runs);
                batcher = runner;
                for (int i = 0; i < threads; i++) {
                    executor.execute(runner::work); // each starts once a thread is free (this load holds one)
                }
            }
            if (!lifecycle.moveTo(InstanceState.READY)) {
                // Stopped while loading: give the engine's memory back at once.
                BatchingRunner runner = batcher;
                if (runner != null) {
                    runner.close();
                }
                opened.close();
                throw new ModelLoadFailed("instance " + id + " was stopped while loading", null);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - begin);
            LOG.log(System.Logger.Level.INFO, "instance {0} loaded {1} in {2} ms", id, manifest.id(), took.toMillis());
            return took;
        } catch (RuntimeException failure) {
            lifecycle.moveTo(InstanceState.FAILED);
            LOG.log(System.Logger.Level.WARNING, "instance {0} failed to load {1}: {2}", id, manifest.id(),
                    failure.getMessage());
            throw failure instanceof ModelLoadFailed ? failure
                    : new ModelLoadFailed("model " + manifest.id() + " failed to load: " + failure.getMessage(), null);
        }
    }

    @Override
    public CompletableFuture<InferenceOutcome> infer(InferenceRequest request, RunControl control) {
        InstanceState current = state();
        Session ready = session;
        if ((current != InstanceState.READY && current != InstanceState.DRAINING) || ready == null) {
            return CompletableFuture.failedFuture(new EngineFailure("instance " + id + " is " + current + ", not READY"));
        }
        BatchingRunner batching = batcher;
        if (batching != null) {
            return batching.submit(request, control);
        }
        try {
            return CompletableFuture.supplyAsync(() -> {
                long begin = System.nanoTime();
                try {
                    var outputs = ready.run(request, control);
                    long took = System.nanoTime() - begin;
                    busyNanos.add(took);
                    return new InferenceOutcome(outputs, took);
                } catch (RuntimeException failed) {
                    busyNanos.add(System.nanoTime() - begin);
                    throw failed;
                } finally {
                    runs.increment();
                }
            }, executor).handle((outcome, failure) -> {
                if (failure == null) {
                    return outcome;
                }
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                throw cause instanceof TorporException known ? known
                        : new EngineFailure("engine failure in instance " + id + ": " + cause, cause);
            });
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            return CompletableFuture.failedFuture(new EngineFailure("instance " + id + " has stopped"));
        }
    }

    @Override
    public long busyMicros() {
        return busyNanos.sum() / 1000;
    }

    @Override
    public long runs() {
        return runs.sum();
    }

    /** Engine calls that ran a batch of more than one request (0 unless dynamic batching is on). */
    public long batchedCalls() {
        BatchingRunner runner = batcher;
        return runner == null ? 0 : runner.batches();
    }

    @Override
    public void drain() {
        lifecycle.moveTo(InstanceState.DRAINING);
    }

    @Override
    public void stop() {
        ExecutorService threadsToStop;
        synchronized (this) {
            if (state() == InstanceState.STOPPED) {
                return;
            }
            lifecycle.moveTo(InstanceState.STOPPED);
            threadsToStop = executor;
        }
        BatchingRunner batching = batcher;
        if (batching != null) {
            batching.close(); // its threads run what is queued, then end
        }
        if (threadsToStop != null) {
            threadsToStop.shutdown();
            try {
                if (!threadsToStop.awaitTermination(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.log(System.Logger.Level.WARNING, "instance {0}: a request outlived the stop grace", id);
                }
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        Session open = session;
        session = null;
        if (open != null) {
            open.close();
        }
        LOG.log(System.Logger.Level.INFO, "instance {0} stopped", id);
    }

    private static ThreadFactory namedDaemonThreads(String instanceId) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "fn-" + instanceId + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
