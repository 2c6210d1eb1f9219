package dev.torpor.function;

import dev.torpor.error.EngineFailure;
import dev.torpor.error.ModelLoadFailed;
import dev.torpor.error.TorporException;
import dev.torpor.store.ModelManifest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A function instance inside the current JVM: an engine session plus a fixed set of platform threads that
 * run it. Platform threads, because the engines block inside native code, where a virtual thread would pin
 * its carrier anyway. The threads exist only between {@link #load()} and {@link #stop()}. Its lifecycle is
 * {@link AbstractFunctionInstance}'s; a function host serves one of these to the router.
 */
public final class LocalFunctionInstance extends AbstractFunctionInstance {
    private static final System.Logger LOG = System.getLogger(LocalFunctionInstance.class.getName());
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final ModelManifest manifest;
    private final Path artifact;
    private final Backend backend;
    private final RuntimeOptions options;
    private final int threads;
    private final Batching batching;

    private volatile ExecutorService executor;
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
        super(id, String.valueOf(manifest.id()), clock.instant());
        if (threads < 1) {
            throw new IllegalArgumentException("an instance needs at least one thread");
        }
        this.manifest = manifest;
        this.artifact = artifact;
        this.backend = backend;
        this.options = options;
        this.threads = threads;
        this.batching = batching;
    }

    @Override
    protected CompletableFuture<?> startLoading() {
        executor = Executors.newFixedThreadPool(threads, namedDaemonThreads(id()));
        return CompletableFuture.runAsync(this::openSession, executor);
    }

    private void openSession() {
        Session opened = backend.open(manifest, artifact, options);
        session = opened;
        if (batching.enabled() && Batcher.batchable(manifest.signature())) {
            BatchingRunner runner = new BatchingRunner(id(), opened, batching, busyNanosCounter(), runsCounter());
            batcher = runner;
            for (int i = 0; i < threads; i++) {
                executor.execute(runner::work); // each starts once a thread is free (this load holds one)
            }
        }
    }

    @Override
    protected void stoppedWhileLoading() {
        // Give the engine's memory back at once (stop's release waited for this load's thread to end).
        closeEngine();
    }

    @Override
    protected TorporException loadFailure(Throwable cause) {
        return cause instanceof ModelLoadFailed known ? known
                : new ModelLoadFailed("model " + manifest.id() + " failed to load: " + cause.getMessage(), null);
    }

    @Override
    protected CompletableFuture<InferenceOutcome> run(InferenceRequest request, RunControl control) {
        Session ready = session;
        if (ready == null) {
            return CompletableFuture.failedFuture(new EngineFailure("instance " + id() + " is " + state() + ", not READY"));
        }
        BatchingRunner batching = batcher;
        if (batching != null) {
            return batching.submit(request, control);
        }
        try {
            return CompletableFuture.supplyAsync(() -> {
                long begin = System.nanoTime();
                long took = 0;
                try {
                    var outputs = ready.run(request, control);
                    took = System.nanoTime() - begin;
                    return new InferenceOutcome(outputs, took);
                } catch (RuntimeException failed) {
                    took = System.nanoTime() - begin;
                    throw failed;
                } finally {
                    recordRun(took);
                }
            }, executor).handle((outcome, failure) -> {
                if (failure == null) {
                    return outcome;
                }
                Throwable cause = unwrap(failure);
                throw cause instanceof TorporException known ? known
                        : new EngineFailure("engine failure in instance " + id() + ": " + cause, cause);
            });
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            return CompletableFuture.failedFuture(new EngineFailure("instance " + id() + " has stopped"));
        }
    }

    /** Engine calls that ran a batch of more than one request (0 unless dynamic batching is on). */
    public long batchedCalls() {
        BatchingRunner runner = batcher;
        return runner == null ? 0 : runner.batches();
    }

    @Override
    protected void release() {
        BatchingRunner batching = batcher;
        if (batching != null) {
            batching.close(); // its threads run what is queued, then end
        }
        ExecutorService threadsToStop = executor;
        if (threadsToStop != null) {
            threadsToStop.shutdown();
            try {
                if (!threadsToStop.awaitTermination(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.log(System.Logger.Level.WARNING, "instance {0}: a request outlived the stop grace", id());
                }
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        closeEngine();
    }

    /** Closes the batching runner and the session, once. */
    private synchronized void closeEngine() {
        BatchingRunner runner = batcher;
        if (runner != null) {
            runner.close();
        }
        Session open = session;
        session = null;
        if (open != null) {
            open.close();
        }
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
