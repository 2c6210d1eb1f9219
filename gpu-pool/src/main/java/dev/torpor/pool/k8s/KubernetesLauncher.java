package dev.torpor.pool.k8s;

import dev.torpor.error.ModelLoadFailed;
import dev.torpor.function.FunctionInstance;
import dev.torpor.pool.DaemonThreads;
import dev.torpor.pool.HostView;
import dev.torpor.pool.InstanceLogs;
import dev.torpor.pool.LaunchSpec;
import dev.torpor.pool.Launcher;
import dev.torpor.pool.process.DialedHost;
import dev.torpor.pool.process.HostLease;
import dev.torpor.pool.process.OptimizedModels;
import dev.torpor.pool.process.RemoteFunctionInstance;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs every function instance as a Kubernetes pod ({@code TORPOR_LAUNCHER=kubernetes}), to API.md's pod contract,
 * with the process launcher's contract: a cold start is buffered by the router, a crash costs the requests in flight
 * on it, every request is billed, and an idle instance is reaped to zero — here by deleting its pod.
 *
 * <ul>
 * <li><b>Warm pods</b> ({@link WarmPods}): model-less pods kept Ready. A cold start claims one by relabelling it,
 *     guarded by its resourceVersion (409: another is tried), sends it the model over the frame protocol on TCP
 *     and loads; its replacement is created once the cold start is over. A model that fits no warm pod (more memory,
 *     a GPU, host options), or finds none Ready, gets a pod of its own.</li>
 * <li><b>Ready</b> is the pod's Ready condition, from an informer ({@link PodTracker}), and then the LOADED
 *     handshake on the router's connection ({@link DialedHost}); no polling loop.</li>
 * <li><b>Failures surface</b>: a pod not Ready {@code podStartTimeout} after its creation fails its waiting requests
 *     with a 503 naming it and its failing conditions, and is deleted; a pod that ends (OOMKilled, evicted, deleted
 *     by anyone) is a crashed host (its in-flight requests 503, those not started go to a new pod); the API server
 *     refusing a call ({@link PodApi.Refused}) is a 503 with its reason.</li>
 * <li><b>No orphans</b>: a pod is deleted when its host's connection ends (the instance was reaped, stopped or
 *     crashed) or its start fails; {@link #close()} (and a shutdown hook, for SIGTERM without a clean close) deletes
 *     every pod of this router; {@link #start()} deletes the pods of its id from an earlier life. Pods name the
 *     router's own pod as owner when it has one, so Kubernetes collects them if the router goes.</li>
 * </ul>
 *
 * <p>The client comes configured (in-cluster, {@code KUBERNETES_MASTER}, kubeconfig); whoever made it closes it,
 * after this launcher. Thread-safe.
 */
public final class KubernetesLauncher implements Launcher {
    private static final System.Logger LOG = System.getLogger(KubernetesLauncher.class.getName());
    private static final Duration RETRY_AFTER_FAILED_POD = Duration.ofSeconds(2);
    private static final int FAILED_LOG_LINES = 5;
    /** Models up to this size get an optimized graph made in the router for their pods (it opens them once). */
    private static final long MAX_OPTIMIZED_BYTES = 512L << 20;
    /** What a warm pod is sent ahead of a claim: the most recently started models, up to these bounds. */
    private static final int MAX_STAGED_MODELS = 4;
    private static final long MAX_STAGED_BYTES = 256L << 20;

    private final KubernetesClient client;
    private final KubernetesSettings settings;
    private final Clock clock;
    private final FunctionPods pods;
    private final PodApi api;
    /** Instance id → the pod it runs on now. */
    private final Map<String, String> podOfInstance = new ConcurrentHashMap<>();
    private final StagedModels staged = new StagedModels(MAX_STAGED_MODELS, MAX_STAGED_BYTES);
    private final ExecutorService worker = Executors.newCachedThreadPool(DaemonThreads.named("k8s-launcher"));
    private final ExecutorService completions = Executors.newCachedThreadPool(DaemonThreads.named("k8s-completion"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("k8s-timer"));
    private final WarmPods warm;
    private final OptimizedModels optimized;
    private final RouterPods routerPods;
    private final Thread shutdownHook = new Thread(this::deleteAllQuietly, "k8s-pod-reaper");
    private SharedIndexInformer<Pod> informer;
    private volatile boolean started;
    private volatile boolean closed;

    public KubernetesLauncher(KubernetesClient client, KubernetesSettings settings, Clock clock) {
        this.client = client;
        this.settings = settings;
        this.clock = clock;
        this.pods = new FunctionPods(settings);
        this.api = new PodApi(client, settings.namespace());
        this.routerPods = new RouterPods(api, settings.podStartTimeout(), timer, worker);
        this.warm = new WarmPods(settings.warmPods(), this::createWarmPod, timer, worker);
        this.optimized = settings.optimizedModels().map(dir -> new OptimizedModels(dir, worker, MAX_OPTIMIZED_BYTES))
                .orElse(null);
    }

    /**
     * Deletes this router id's pods left from an earlier life, starts the informer on this router's pods (its initial
     * list included) and the warm pods, and registers the shutdown hook. Call once before {@link #launch}.
     *
     * @throws PodApi.Refused when the API server refuses the first calls or cannot be reached
     */
    public synchronized KubernetesLauncher start() {
        if (closed) {
            throw new IllegalStateException("the kubernetes launcher is closed");
        }
        if (started) {
            return this;
        }
        List<Pod> stale = api.list(pods.baseLabels());
        if (!stale.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "deleting {0} function pod(s) of router {1} from an earlier run: {2}",
                    stale.size(), settings.routerId(), stale.stream().map(pod -> pod.getMetadata().getName()).toList());
            api.deleteAll(pods.baseLabels());
        }
        informer = client.pods().inNamespace(settings.namespace()).withLabels(pods.baseLabels())
                .inform(routerPods.events(), 0);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        started = true;
        worker.execute(warm::refill);
        return this;
    }

    @Override
    public String name() {
        return "kubernetes";
    }

    /** Function hosts batch inside themselves (the LOAD frame carries the model's batching). */
    @Override
    public boolean batches() {
        return true;
    }

    @Override
    public FunctionInstance launch(LaunchSpec spec) {
        if (closed) {
            throw new IllegalStateException("the kubernetes launcher is closed");
        }
        if (!started) {
            throw new IllegalStateException("the kubernetes launcher is not started: call start() first");
        }
        return new RemoteFunctionInstance(spec, this::acquire, clock);
    }

    /**
     * A lease on a Ready, connected pod for {@code spec}'s instance: a claimed warm pod, else a new pod of its own.
     * Fails with {@link ModelLoadFailed} (503, and the model's load backoff) naming the pod and why.
     */
    private CompletableFuture<HostLease> acquire(LaunchSpec spec) {
        long begin = System.nanoTime();
        return CompletableFuture.supplyAsync(() -> podFor(spec), worker).thenCompose(chosen -> {
            long chosenAt = System.nanoTime();
            return chosen.tracker().ready().thenApplyAsync(ip -> connect(spec, chosen, ip, begin, chosenAt), worker)
                    .whenComplete((lease, failure) -> {
                        if (failure != null) {
                            forget(chosen.tracker());
                            if (chosen.claimed()) {
                                warm.refill();
                            }
                        }
                    });
        }).exceptionallyCompose(failure -> CompletableFuture.failedFuture(asLoadFailure(spec, failure)));
    }

    /** How a cold start got its pod. */
    private record Chosen(PodTracker tracker, boolean claimed) {
    }

    private Chosen podFor(LaunchSpec spec) {
        if (closed) {
            throw new IllegalStateException("the kubernetes launcher is closed");
        }
        if (pods.warmPodFits(spec)) {
            staged.started(spec);
            Optional<PodTracker> claimed = warm.claim(candidate -> api.claimWarm(candidate.name(),
                    candidate.latest().getMetadata().getResourceVersion(), FunctionPods.claimLabels(spec),
                    FunctionPods.claimAnnotations(spec)));
            if (claimed.isPresent()) {
                podOfInstance.put(spec.instanceId(), claimed.get().name());
                return new Chosen(claimed.get(), true);
            }
        }
        String name = FunctionPods.newName();
        String token = FunctionPods.newToken();
        PodTracker tracker = routerPods.create(pods.forModel(name, token, spec), token);
        podOfInstance.put(spec.instanceId(), name);
        return new Chosen(tracker, false);
    }

    private PodTracker createWarmPod() {
        String token = FunctionPods.newToken();
        PodTracker tracker = routerPods.create(pods.warm(FunctionPods.newName(), token), token);
        tracker.ready().thenAcceptAsync(ip -> prepareWarm(tracker, ip), worker);
        return tracker;
    }

    /**
     * The Ready pod's connection, handed to the instance: a warm pod's was made when it turned Ready
     * ({@link #prepareWarm}), a pod of the model's own is dialed now.
     */
    private HostLease connect(LaunchSpec spec, Chosen chosen, String ip, long begin, long chosenAt) {
        PodTracker tracker = chosen.tracker();
        long readyAt = System.nanoTime();
        DialedHost host;
        try {
            host = chosen.claimed() ? tracker.connection().get(settings.connectTimeout().toMillis(),
                    TimeUnit.MILLISECONDS) : dial(tracker, ip);
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                 | InterruptedException unreachable) {
            Throwable cause = unreachable instanceof java.util.concurrent.ExecutionException ? unreachable.getCause()
                    : unreachable;
            throw new CompletionException(new ModelLoadFailed("pod " + tracker.name() + " is Ready but "
                    + (cause instanceof java.util.concurrent.TimeoutException ? "its connection was not up within "
                    + settings.connectTimeout().toSeconds() + " s" : cause.getMessage()), RETRY_AFTER_FAILED_POD));
        }
        var phases = new PodLease.ColdStartPhases(chosen.claimed(), chosenAt - begin, readyAt - chosenAt,
                System.nanoTime() - readyAt);
        return new PodLease(tracker, host, phases, optimized,
                chosen.claimed() ? () -> worker.execute(warm::refill) : () -> { });
    }

    /**
     * Dials a Ready pod with its token. Whoever ends first ends the other: the pod (its host is then as good as
     * dead), or the connection (the pod is then deleted).
     */
    private DialedHost dial(PodTracker tracker, String ip) throws IOException {
        DialedHost host;
        try {
            host = DialedHost.dial("pod " + tracker.name(), new InetSocketAddress(ip, KubernetesSettings.FUNCTION_PORT),
                    tracker.token(), settings.connectTimeout(), completions);
        } catch (IOException unreachable) {
            tracker.connection().completeExceptionally(unreachable);
            throw unreachable;
        }
        tracker.ended().thenAccept(host::kill);
        host.death().thenRun(() -> forget(tracker));
        tracker.connection().complete(host);
        return host;
    }

    /**
     * A warm pod that turned Ready: connected at once, and sent the files of the models most recently started here
     * (with their optimized graphs), which it keeps in its cache, so that a cold start that claims it sends only
     * offers. A pod that cannot be reached is deleted (and replaced).
     */
    private void prepareWarm(PodTracker tracker, String ip) {
        DialedHost host;
        try {
            host = dial(tracker, ip);
        } catch (IOException unreachable) {
            LOG.log(System.Logger.Level.WARNING, "warm function pod {0} is Ready but unreachable: {1}",
                    tracker.name(), unreachable.getMessage());
            routerPods.deleteQuietly(tracker.name());
            return;
        }
        for (LaunchSpec spec : staged.newestFirst()) {
            if (!host.isAlive() || closed) {
                break;
            }
            try {
                host.stage(spec, optimized == null ? Optional.empty() : optimized.forHost(spec, host.hello()));
            } catch (IOException | RuntimeException notStaged) {
                LOG.log(System.Logger.Level.INFO, "could not stage {0} on warm pod {1}: {2}", spec.manifest().id(),
                        tracker.name(), notStaged.getMessage());
                break;
            }
        }
        tracker.staged();
    }

    /** The pod is done with: deleted (in the background), and no instance maps to it any more. */
    private void forget(PodTracker tracker) {
        podOfInstance.values().removeIf(tracker.name()::equals);
        worker.execute(() -> routerPods.deleteQuietly(tracker.name()));
    }

    private ModelLoadFailed asLoadFailure(LaunchSpec spec, Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof java.util.concurrent.ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof ModelLoadFailed known) {
            return known;
        }
        String message = cause.getMessage();
        if (cause instanceof PodTracker.PodUnavailable unavailable && unavailable.failed()) {
            message = withLogTail(message, unavailable.pod());
        } else if (!(cause instanceof PodApi.Refused)) {
            message = "cannot start a function pod for " + spec.manifest().id() + ": " + message;
        }
        return new ModelLoadFailed(message, RETRY_AFTER_FAILED_POD, cause);
    }

    /** A pod that failed before it was Ready: the last lines of its container's log, when the API gives them. */
    private String withLogTail(String message, String pod) {
        try {
            String tail = api.logTail(pod, FAILED_LOG_LINES);
            return tail == null || tail.isBlank() ? message
                    : message + "; its log ends: " + String.join(" | ", tail.strip().split("\n"));
        } catch (RuntimeException unavailable) {
            return message;
        }
    }

    /** The router's pods as operators see them ({@code GET /admin/pool}), oldest first. */
    @Override
    public List<HostView> hosts() {
        List<HostView> views = new ArrayList<>();
        Map<String, String> instanceOfPod = new java.util.HashMap<>();
        podOfInstance.forEach((instance, pod) -> instanceOfPod.put(pod, instance));
        for (PodTracker tracker : routerPods.live()) {
            Pod pod = tracker.latest();
            Map<String, String> labels = pod.getMetadata().getLabels();
            Map<String, String> annotations = pod.getMetadata().getAnnotations();
            views.add(new HostView("pod", tracker.name(), pod.getSpec() == null ? null : pod.getSpec().getNodeName(),
                    pod.getStatus() == null ? "Pending" : pod.getStatus().getPhase(),
                    labels == null ? null : labels.get(PodLabels.STATE),
                    annotations == null ? null : annotations.get(PodLabels.MODEL_ID),
                    instanceOfPod.get(tracker.name())));
        }
        return views;
    }

    /** Warm pods Ready now; for tests and views. */
    public int warmReady() {
        return warm.readyCount();
    }

    /** Warm pods connected, with the recent models staged on them; for tests and benches. */
    public int warmPrepared() {
        return warm.preparedCount();
    }

    /** The last lines of the pod an instance runs on, from the API (pods/log get). */
    @Override
    public Optional<InstanceLogs> instanceLogs() {
        return Optional.of(instanceId -> Optional.ofNullable(podOfInstance.get(instanceId)).map(pod -> {
            try {
                String log = api.logTail(pod, 200);
                return log == null ? List.<String>of() : List.of(log.split("\n"));
            } catch (RuntimeException unavailable) {
                return List.of("(the log of pod " + pod + " is not available: " + unavailable.getMessage() + ")");
            }
        }));
    }

    /** Deletes every pod of this router and stops the informer. Idempotent. */
    @Override
    public void close() {
        stop(true);
    }

    /**
     * Stops everything this launcher does without deleting a pod, as if its router had died (SIGKILL): for tests of
     * what the next router with the same id finds. The launcher is closed after it.
     */
    void abandon() {
        stop(false);
    }

    private synchronized void stop(boolean deletePods) {
        if (closed) {
            return;
        }
        closed = true;
        warm.close();
        if (started) {
            if (deletePods) {
                deleteAllQuietly();
            }
            informer.close();
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or has run
            }
        }
        timer.shutdownNow();
        worker.shutdownNow();
        completions.shutdownNow();
    }

    private void deleteAllQuietly() {
        routerPods.deleteAllQuietly(pods.baseLabels());
    }
}
