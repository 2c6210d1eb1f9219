package dev.torpor.function;

import dev.torpor.error.EngineFailure;
import dev.torpor.error.ModelLoadFailed;
import dev.torpor.error.TorporException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * The lifecycle every function instance shares, written once (in the spirit of Guava's
 * {@code AbstractService}): the transitions are final here, and a subclass fills in three hooks.
 *
 * <ul>
 * <li>{@link #load()} is single flight: the first call moves COLD → LOADING and calls {@link #startLoading()};
 *     every call returns the same future. When the hook's future completes the instance is READY (the future
 *     completes with the time since {@code load()}), or FAILED with {@link #loadFailure}'s exception, or —
 *     when {@link #stop()} came first — the hook {@link #stoppedWhileLoading()} frees what the load
 *     acquired and the future fails with {@link ModelLoadFailed}.</li>
 * <li>{@link #infer} refuses an instance that is not READY or DRAINING and otherwise calls {@link #run}.</li>
 * <li>{@link #stop()} is idempotent: the first call moves to STOPPED and calls {@link #release()}.</li>
 * <li>{@link #busyMicros()} and {@link #runs()} read counters the hooks feed with {@link #recordRun}.</li>
 * </ul>
 *
 * <p>Thread-safe. {@link #startLoading()} runs under the instance's monitor; the other hooks do not.
 */
public abstract class AbstractFunctionInstance implements FunctionInstance {
    private static final System.Logger LOG = System.getLogger(FunctionInstance.class.getName());

    private final String id;
    private final String model;
    private final Instant startedAt;
    private final Lifecycle lifecycle = new Lifecycle();
    private final LongAdder busyNanos = new LongAdder();
    private final LongAdder runs = new LongAdder();
    /** Guarded by this. */
    private CompletableFuture<Duration> loading;

    /**
     * @param id        the instance id
     * @param model     the model it serves, for the log
     * @param startedAt when the instance was created
     */
    protected AbstractFunctionInstance(String id, String model, Instant startedAt) {
        this.id = id;
        this.model = model;
        this.startedAt = startedAt;
    }

    /**
     * Starts acquiring what serving needs (an engine session, a function host). Called once, under this
     * instance's monitor; must not block. The future completes when the model is loaded.
     */
    protected abstract CompletableFuture<?> startLoading();

    /** The load succeeded after {@link #stop()}: free what it acquired (stop's {@link #release} may have run). */
    protected abstract void stoppedWhileLoading();

    /** What a failed load reports: {@code cause} is the load's failure, unwrapped. */
    protected abstract TorporException loadFailure(Throwable cause);

    /** Runs one request on a READY or DRAINING instance. */
    protected abstract CompletableFuture<InferenceOutcome> run(InferenceRequest request, RunControl control);

    /** Frees the instance's engine resources; called once, by the first {@link #stop()}. */
    protected abstract void release();

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final InstanceState state() {
        return lifecycle.state();
    }

    @Override
    public final Instant startedAt() {
        return startedAt;
    }

    @Override
    public final synchronized CompletableFuture<Duration> load() {
        if (loading != null) {
            return loading;
        }
        if (!lifecycle.moveTo(InstanceState.LOADING)) {
            return loading = CompletableFuture.failedFuture(
                    new ModelLoadFailed("instance " + id + " is " + state() + " and cannot load", null));
        }
        long begin = System.nanoTime();
        CompletableFuture<Duration> result = new CompletableFuture<>();
        loading = result;
        CompletableFuture<?> started;
        try {
            started = startLoading();
        } catch (RuntimeException failed) {
            started = CompletableFuture.failedFuture(failed);
        }
        started.whenComplete((ignored, failure) -> settle(result, begin, failure));
        return result;
    }

    private void settle(CompletableFuture<Duration> result, long begin, Throwable failure) {
        if (failure != null) {
            lifecycle.moveTo(InstanceState.FAILED);
            TorporException reported = loadFailure(unwrap(failure));
            result.completeExceptionally(reported);
            LOG.log(System.Logger.Level.WARNING, "instance {0} failed to load {1}: {2}", id, model,
                    reported.getMessage());
            return;
        }
        if (!lifecycle.moveTo(InstanceState.READY)) {
            stoppedWhileLoading();
            result.completeExceptionally(new ModelLoadFailed("instance " + id + " was stopped while loading", null));
            return;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - begin);
        // Complete first, log after: a function host answers LOADED from this completion, and the first log
        // line of a JVM initializes java.util.logging (~30 ms).
        result.complete(took);
        LOG.log(System.Logger.Level.INFO, "instance {0} loaded {1} in {2} ms", id, model, took.toMillis());
    }

    @Override
    public final CompletableFuture<InferenceOutcome> infer(InferenceRequest request, RunControl control) {
        InstanceState current = state();
        if (current != InstanceState.READY && current != InstanceState.DRAINING) {
            return CompletableFuture.failedFuture(new EngineFailure("instance " + id + " is " + current + ", not READY"));
        }
        return run(request, control);
    }

    /** Counts one run that kept the engine busy for {@code nanos} (0 when unknown: the run failed remotely). */
    protected final void recordRun(long nanos) {
        busyNanos.add(nanos);
        runs.increment();
    }

    /** The counters themselves, for a batching runner that records its batches' runs. */
    protected final LongAdder busyNanosCounter() {
        return busyNanos;
    }

    protected final LongAdder runsCounter() {
        return runs;
    }

    @Override
    public final long busyMicros() {
        return busyNanos.sum() / 1000;
    }

    @Override
    public final long runs() {
        return runs.sum();
    }

    @Override
    public final void drain() {
        lifecycle.moveTo(InstanceState.DRAINING);
    }

    @Override
    public final void stop() {
        synchronized (this) {
            if (!lifecycle.moveTo(InstanceState.STOPPED)) {
                return; // already stopped
            }
        }
        release();
        LOG.log(System.Logger.Level.INFO, "instance {0} stopped", id);
    }

    /** The failure a completion stage carries, without its {@link CompletionException} wrapper. */
    protected static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
