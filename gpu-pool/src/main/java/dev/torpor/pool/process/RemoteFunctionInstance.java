package dev.torpor.pool.process;

import dev.torpor.error.EngineFailure;
import dev.torpor.error.ModelLoadFailed;
import dev.torpor.error.TorporException;
import dev.torpor.function.AbstractFunctionInstance;
import dev.torpor.function.InferenceOutcome;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.InstanceState;
import dev.torpor.function.RunControl;
import dev.torpor.function.host.Wire;
import dev.torpor.pool.LaunchSpec;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A function instance whose model runs in a function host outside the router's JVM ({@link RemoteHost}: a
 * child process, or anything else a {@link HostLease.Source} lends). Loading leases a host and has it load the
 * model; {@link #infer} sends the request over the host's connection and completes with the outputs and the
 * compute time the host measured. The lifecycle is {@link AbstractFunctionInstance}'s.
 *
 * <p>When the host dies, the requests in flight on it fail with {@link dev.torpor.error.InstanceCrashed}
 * (503). The instance itself stays in service: the next request on it leases a new host and loads the
 * model again (single flight) before it runs, so a crash costs the requests that were running and one
 * cold start, never the model's availability.
 *
 * <p>Thread-safe.
 */
public final class RemoteFunctionInstance extends AbstractFunctionInstance {
    private static final System.Logger LOG = System.getLogger(RemoteFunctionInstance.class.getName());
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final Duration STOP_STARTING_GRACE = Duration.ofSeconds(2);
    private static final Duration RELOAD_RETRY = Duration.ofSeconds(1);
    private static final Duration REFILL_AT_LATEST = Duration.ofSeconds(1);

    private final LaunchSpec spec;
    private final HostLease.Source hosts;
    /** The lease of a cold start whose first request has not been answered yet: closing it lets the pool refill. */
    private final AtomicReference<HostLease> coldStart = new AtomicReference<>();
    /** The host serving now, or being brought up after a crash; guarded by this. */
    private CompletableFuture<RemoteHost> current;
    /** Where the current host runs, when outside this machine (see {@link HostLease#where()}). */
    private volatile String where;

    public RemoteFunctionInstance(LaunchSpec spec, HostLease.Source hosts, Clock clock) {
        super(spec.instanceId(), String.valueOf(spec.manifest().id()), clock.instant());
        this.spec = spec;
        this.hosts = hosts;
    }

    @Override
    protected CompletableFuture<?> startLoading() {
        current = startHost();
        return current;
    }

    @Override
    protected void stoppedWhileLoading() {
        RemoteHost host = nowOrNull(currentHost());
        if (host != null) {
            host.stop(STOP_STARTING_GRACE);
        }
    }

    @Override
    protected TorporException loadFailure(Throwable cause) {
        return asLoadFailure(cause);
    }

    /** Leases a host and has it load the model; completes once the model is loaded. */
    private CompletableFuture<RemoteHost> startHost() {
        long begin = System.nanoTime();
        return hosts.acquire(spec).thenCompose(lease -> {
            long acquired = System.nanoTime();
            RemoteHost host = lease.host();
            where = lease.where().orElse(null);
            Wire.Load load;
            try {
                load = lease.loadFor(spec);
            } catch (IOException | RuntimeException unprovided) {
                lease.close();
                host.kill("could not be given its model");
                return CompletableFuture.failedFuture(new ModelLoadFailed(
                        "cannot give the function process its model: " + unprovided.getMessage(), RELOAD_RETRY));
            }
            return host.load(load).handle((took, failure) -> {
                if (failure != null) {
                    lease.close();
                    host.kill("failed to load its model");
                    throw asLoadFailure(failure);
                }
                lease.loaded(spec, acquired - begin, took);
                endColdStartAfterFirstAnswer(lease);
                return host;
            });
        });
    }

    /**
     * Keeps the cold start's lease until its first request has been answered (or {@link #REFILL_AT_LATEST}
     * has passed): a JVM starting next to the first run would slow it down.
     */
    private void endColdStartAfterFirstAnswer(HostLease lease) {
        HostLease earlier = coldStart.getAndSet(lease);
        if (earlier != null) {
            earlier.close();
        }
        CompletableFuture.delayedExecutor(REFILL_AT_LATEST.toMillis(), TimeUnit.MILLISECONDS)
                .execute(this::endColdStart);
    }

    private void endColdStart() {
        HostLease lease = coldStart.getAndSet(null);
        if (lease != null) {
            lease.close();
        }
    }

    @Override
    public java.util.Optional<String> host() {
        return java.util.Optional.ofNullable(where);
    }

    @Override
    protected CompletableFuture<InferenceOutcome> run(InferenceRequest request, RunControl control) {
        return send(request, control, true).whenComplete((outcome, failure) ->
                // The host measures each run; an answer that came back counts, whatever the router did with it.
                recordRun(outcome != null ? outcome.computeNanos() : 0));
    }

    /**
     * @param mayRetry whether a request the dead host had not started is sent once more, to the new host the
     *                 instance starts; the second failure is final (503 with the reason)
     */
    private CompletableFuture<InferenceOutcome> send(InferenceRequest request, RunControl control, boolean mayRetry) {
        InstanceState now = state();
        if (now != InstanceState.READY && now != InstanceState.DRAINING) {
            return CompletableFuture.failedFuture(new EngineFailure("instance " + id() + " is " + now + ", not READY"));
        }
        CompletableFuture<RemoteHost> serving = serving();
        RemoteHost ready = nowOrNull(serving);
        CompletableFuture<InferenceOutcome> answer;
        if (ready != null) {
            answer = ready.infer(request, control);
            if (coldStart.get() != null) {
                answer.whenComplete((outcome, failure) -> endColdStart());
            }
        } else {
            // The host died and a new one is loading: the request runs once it is there.
            answer = serving.handle((host, failure) -> failure != null
                            ? CompletableFuture.<InferenceOutcome>failedFuture(asLoadFailure(failure))
                            : host.infer(request, control))
                    .thenCompose(result -> result);
        }
        if (answer.isDone() && !answer.isCompletedExceptionally()) {
            return answer;
        }
        return answer.exceptionallyCompose(failure -> {
            Throwable cause = unwrap(failure);
            if (!(cause instanceof RemoteHost.NotStarted notStarted)) {
                return CompletableFuture.failedFuture(cause);
            }
            if (mayRetry && !control.isCancelled()) {
                LOG.log(System.Logger.Level.INFO, "instance {0}: request {1} had not started when its process died;"
                        + " retrying it once on a new process", id(), request.id());
                return send(request, control, false);
            }
            return CompletableFuture.failedFuture(notStarted.crash());
        });
    }

    /** The live host, or a replacement started now (once) when the last one died. */
    private synchronized CompletableFuture<RemoteHost> serving() {
        CompletableFuture<RemoteHost> serving = current;
        RemoteHost host = nowOrNull(serving);
        boolean failedToReplace = serving.isCompletedExceptionally();
        if ((host != null && !host.isAlive()) || failedToReplace) {
            LOG.log(System.Logger.Level.WARNING, "instance {0}: its process is gone; starting a new one", id());
            current = serving = startHost();
        }
        return serving;
    }

    private synchronized CompletableFuture<RemoteHost> currentHost() {
        return current;
    }

    /** The host if it is up; null while it starts or when it failed to start ({@code getNow} would throw). */
    private static RemoteHost nowOrNull(CompletableFuture<RemoteHost> serving) {
        return serving != null && serving.isDone() && !serving.isCompletedExceptionally() ? serving.join() : null;
    }

    private TorporException asLoadFailure(Throwable failure) {
        Throwable cause = unwrap(failure);
        return cause instanceof TorporException known ? known
                : new ModelLoadFailed("instance " + id() + " could not start its function process: "
                + cause.getMessage(), RELOAD_RETRY);
    }

    @Override
    protected void release() {
        CompletableFuture<RemoteHost> serving = currentHost();
        if (serving != null) {
            RemoteHost host = nowOrNull(serving);
            if (host != null) {
                host.stop(STOP_GRACE);
            } else {
                // still starting: stop it once it is there
                serving.thenAccept(started -> started.stop(STOP_STARTING_GRACE));
            }
        }
    }
}
