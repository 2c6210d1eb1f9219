package dev.torpor.pool.process;

import dev.torpor.error.EngineFailure;
import dev.torpor.error.ModelLoadFailed;
import dev.torpor.error.TorporException;
import dev.torpor.function.FunctionInstance;
import dev.torpor.function.InferenceOutcome;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.InstanceState;
import dev.torpor.function.Lifecycle;
import dev.torpor.function.RunControl;
import dev.torpor.pool.LaunchSpec;
import dev.torpor.function.host.Wire;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A function instance whose model runs in a child process ({@link HostProcess}). {@link #load()} takes a
 * process (from the warm pool or freshly started) and has it load the model; {@link #infer} sends the
 * request over the socket and completes with the outputs and the compute time the process measured.
 *
 * <p>When the process dies, the requests in flight on it fail with {@link dev.torpor.error.InstanceCrashed}
 * (503). The instance itself stays in service: the next request on it takes a new process and loads the
 * model again (single flight) before it runs, so a crash costs the requests that were running and one
 * cold start, never the model's availability.
 *
 * <p>Thread-safe.
 */
final class RemoteFunctionInstance implements FunctionInstance {
    private static final System.Logger LOG = System.getLogger(RemoteFunctionInstance.class.getName());
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final Duration RELOAD_RETRY = Duration.ofSeconds(1);
    private static final Duration REFILL_AT_LATEST = Duration.ofSeconds(1);

    private final LaunchSpec spec;
    private final ProcessLauncher launcher;
    private final Instant startedAt;
    private final Lifecycle lifecycle = new Lifecycle();
    /** A cold start is done but its first request has not been answered: the pool's refill waits. */
    private final AtomicBoolean refillPending = new AtomicBoolean();
    private final java.util.concurrent.atomic.LongAdder busyNanos = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder runs = new java.util.concurrent.atomic.LongAdder();

    private CompletableFuture<Duration> loading;
    /** The process serving now, or being brought up after a crash; guarded by this. */
    private CompletableFuture<HostProcess> current;

    RemoteFunctionInstance(LaunchSpec spec, ProcessLauncher launcher, Clock clock) {
        this.spec = spec;
        this.launcher = launcher;
        this.startedAt = clock.instant();
    }

    @Override
    public String id() {
        return spec.instanceId();
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
                    new ModelLoadFailed("instance " + id() + " is " + state() + " and cannot load", null));
        }
        long begin = System.nanoTime();
        CompletableFuture<HostProcess> started = startProcess();
        current = started;
        loading = started.handle((process, failure) -> {
            if (failure != null) {
                lifecycle.moveTo(InstanceState.FAILED);
                throw asLoadFailure(failure);
            }
            if (!lifecycle.moveTo(InstanceState.READY)) {
                process.stop(Duration.ofSeconds(2));
                throw new ModelLoadFailed("instance " + id() + " was stopped while loading", null);
            }
            return Duration.ofNanos(System.nanoTime() - begin);
        });
        return loading;
    }

    /** Takes a process and has it load the model; completes once the model is loaded. */
    private CompletableFuture<HostProcess> startProcess() {
        long begin = System.nanoTime();
        return launcher.acquire(id(), spec).whenComplete((process, failure) -> {
            if (failure != null) {
                launcher.coldStartDone();
            }
        }).thenCompose(process -> {
            long acquired = System.nanoTime();
            java.nio.file.Path artifact;
            try {
                artifact = launcher.artifactFor(process, spec);
            } catch (java.io.IOException | RuntimeException unprovided) {
                launcher.coldStartDone();
                process.kill("could not be given its model");
                return CompletableFuture.failedFuture(new ModelLoadFailed(
                        "cannot give the function process its model: " + unprovided.getMessage(), RELOAD_RETRY));
            }
            return process.load(new Wire.Load(spec.manifest(), artifact, spec.runtime(),
                            spec.concurrency(), id(), launcher.cacheDirFor(process), spec.batching()))
                    .handle((took, failure) -> {
                        if (failure != null) {
                            launcher.coldStartDone();
                            process.kill("failed to load its model");
                            throw asLoadFailure(failure);
                        }
                        var hello = process.hello();
                        String timings = "pid " + process.pid() + " ready: process start " + ms(hello.spawnToHelloNanos())
                                + " ms (of which ONNX Runtime init " + ms(hello.ortInitNanos()) + " ms, warm-up "
                                + ms(hello.warmUpNanos()) + " ms), acquire "
                                + ms(acquired - begin) + " ms, model load " + took.toMillis() + " ms";
                        process.log().note(timings); // also goes to the router's log, with the instance id
                        launcher.loaded(process, spec);
                        refillAfterFirstAnswer();
                        return process;
                    });
        });
    }

    /**
     * Lets the warm pool start its replacement once this cold start's first request has been answered (or
     * after {@link #REFILL_AT_LATEST}): a JVM starting next to the first run would slow it down.
     */
    private void refillAfterFirstAnswer() {
        refillPending.set(true);
        CompletableFuture.delayedExecutor(REFILL_AT_LATEST.toMillis(), TimeUnit.MILLISECONDS)
                .execute(this::refillOnce);
    }

    private void refillOnce() {
        if (refillPending.compareAndSet(true, false)) {
            launcher.coldStartDone();
        }
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    @Override
    public CompletableFuture<InferenceOutcome> infer(InferenceRequest request, RunControl control) {
        return infer(request, control, true).whenComplete((outcome, failure) -> {
            // The host measures each run; an answer that came back counts, whatever the router did with it.
            if (outcome != null) {
                busyNanos.add(outcome.computeNanos());
            }
            runs.increment();
        });
    }

    @Override
    public long busyMicros() {
        return busyNanos.sum() / 1000;
    }

    @Override
    public long runs() {
        return runs.sum();
    }

    /**
     * @param mayRetry whether a request the dead process had not started is sent once more, to the new
     *                 process the instance starts; the second failure is final (503 with the reason)
     */
    private CompletableFuture<InferenceOutcome> infer(InferenceRequest request, RunControl control, boolean mayRetry) {
        InstanceState now = state();
        if (now != InstanceState.READY && now != InstanceState.DRAINING) {
            return CompletableFuture.failedFuture(new EngineFailure("instance " + id() + " is " + now + ", not READY"));
        }
        CompletableFuture<HostProcess> serving = serving();
        HostProcess ready = nowOrNull(serving);
        CompletableFuture<InferenceOutcome> answer;
        if (ready != null) {
            answer = ready.infer(request, control);
            if (refillPending.get()) {
                answer.whenComplete((outcome, failure) -> refillOnce());
            }
        } else {
            // The process died and a new one is loading: the request runs once it is there.
            answer = serving.handle((process, failure) -> failure != null
                            ? CompletableFuture.<InferenceOutcome>failedFuture(asLoadFailure(failure))
                            : process.infer(request, control))
                    .thenCompose(result -> result);
        }
        if (answer.isDone() && !answer.isCompletedExceptionally()) {
            return answer;
        }
        return answer.exceptionallyCompose(failure -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (!(cause instanceof HostProcess.NotStarted notStarted)) {
                return CompletableFuture.failedFuture(cause);
            }
            if (mayRetry && !control.isCancelled()) {
                LOG.log(System.Logger.Level.INFO, "instance {0}: request {1} had not started when its process died;"
                        + " retrying it once on a new process", id(), request.id());
                return infer(request, control, false);
            }
            return CompletableFuture.failedFuture(notStarted.crash());
        });
    }

    /** The live process, or a replacement started now (once) when the last one died. */
    private synchronized CompletableFuture<HostProcess> serving() {
        CompletableFuture<HostProcess> serving = current;
        HostProcess process = nowOrNull(serving);
        boolean failedToReplace = serving.isCompletedExceptionally();
        if ((process != null && !process.isAlive()) || failedToReplace) {
            LOG.log(System.Logger.Level.WARNING, "instance {0}: its process is gone; starting a new one", id());
            current = serving = startProcess();
        }
        return serving;
    }

    /** The process if it is up; null while it starts or when it failed to start ({@code getNow} would throw). */
    private static HostProcess nowOrNull(CompletableFuture<HostProcess> serving) {
        return serving.isDone() && !serving.isCompletedExceptionally() ? serving.join() : null;
    }

    private TorporException asLoadFailure(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return cause instanceof TorporException known ? known
                : new ModelLoadFailed("instance " + id() + " could not start its function process: "
                + cause.getMessage(), RELOAD_RETRY);
    }

    @Override
    public void drain() {
        lifecycle.moveTo(InstanceState.DRAINING);
    }

    @Override
    public void stop() {
        CompletableFuture<HostProcess> serving;
        synchronized (this) {
            if (state() == InstanceState.STOPPED) {
                return;
            }
            lifecycle.moveTo(InstanceState.STOPPED);
            serving = current;
        }
        if (serving != null) {
            HostProcess process = nowOrNull(serving);
            if (process != null) {
                process.stop(STOP_GRACE);
            } else {
                // still starting: stop it once it is there
                serving.thenAccept(started -> started.stop(Duration.ofSeconds(2)));
            }
        }
        LOG.log(System.Logger.Level.INFO, "instance {0} stopped", id());
    }
}
