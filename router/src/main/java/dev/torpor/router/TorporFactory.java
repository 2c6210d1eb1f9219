package dev.torpor.router;

import dev.torpor.function.BackendRegistry;
import dev.torpor.function.OrtEnvironments;
import dev.torpor.function.djl.DjlBackend;
import dev.torpor.function.djl.DjlEnvironment;
import dev.torpor.function.json.InferenceRequestDecoder;
import dev.torpor.function.onnx.OnnxBackend;
import dev.torpor.function.onnx.OrtModelCache;
import dev.torpor.pool.Device;
import dev.torpor.pool.DeviceProbe;
import dev.torpor.pool.InProcessLauncher;
import dev.torpor.pool.Launcher;
import dev.torpor.pool.k8s.KubernetesLauncher;
import dev.torpor.pool.process.ProcessLauncher;
import dev.torpor.pool.process.ProcessSettings;
import dev.torpor.router.activation.Activator;
import dev.torpor.router.activation.Autoscaler;
import dev.torpor.router.activation.Reaper;
import dev.torpor.router.activation.ScalingSettings;
import dev.torpor.router.auth.ModelAccess;
import dev.torpor.router.billing.BillingQuery;
import dev.torpor.router.billing.BillingSettings;
import dev.torpor.router.billing.BillingSummary;
import dev.torpor.router.billing.Ledger;
import dev.torpor.router.billing.PriceTable;
import dev.torpor.router.billing.RecordIds;
import dev.torpor.router.db.Database;
import dev.torpor.router.http.InferenceService;
import dev.torpor.router.model.ModelCatalog;
import dev.torpor.router.model.ModelConfigRepository;
import dev.torpor.router.model.ModelConfigs;
import dev.torpor.router.model.WarmInstances;
import dev.torpor.router.pool.OperatorLimits;
import dev.torpor.router.pool.PoolLimitsRepository;
import dev.torpor.store.FileSystemModelStore;
import dev.torpor.store.ModelFormat;
import dev.torpor.store.ModelStore;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.scheduling.TaskExecutors;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * Wires Torpor's plain-Java cores into Micronaut: this is the only place that knows how they fit together.
 * Beans with resources are closed by Micronaut in reverse order when the context stops. Settings arrive as
 * validated, immutable records that Micronaut binds from {@code application.yml} ({@link TorporSettings},
 * {@link InputLimitSettings}, {@link FunctionProcessSettings}, {@link ScalingSettings}, ...): no factory reads a
 * property itself.
 */
@Factory
public class TorporFactory {

    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Singleton
    @Bean(preDestroy = "close")
    Database database(TorporSettings settings) {
        return new Database(settings.dbUrl());
    }

    @Singleton
    ModelStore modelStore(TorporSettings settings, Clock clock, InputLimitSettings limits) {
        return new FileSystemModelStore(settings.modelsDir(), clock, limits.archive());
    }

    /**
     * ONNX Runtime directly, and DJL (TorchScript, DJL-format and ONNX-through-DJL models). DJL is made offline
     * with its cache under the data dir before any DJL class starts. The PyTorch engine starts in the background
     * now when its ~430 MB of native libraries are not unpacked yet (so a user's first request does not pay for
     * the unpack) or when a published model needs it; otherwise it loads on first use (~0.6 s), and a router
     * that serves only ONNX models does not carry libtorch (~350 MB of RSS).
     */
    @Singleton
    BackendRegistry backends(TorporSettings settings, ModelStore store) {
        Path djlCache = DjlEnvironment.prepare(settings.dataDir());
        if (!DjlEnvironment.isUnpacked(djlCache) || servesPyTorch(store)) {
            DjlEnvironment.warmUpInBackground(djlCache);
        }
        // Loads, in-process or in function processes, share ORT's optimized-model cache in the data dir.
        return new BackendRegistry(List.of(new OnnxBackend(OrtEnvironments.shared(),
                new OrtModelCache(settings.ortCacheDir())), new DjlBackend()));
    }

    private static boolean servesPyTorch(ModelStore store) {
        return store.names().stream().flatMap(name -> store.versions(name).stream()).anyMatch(manifest ->
                manifest.format() == ModelFormat.TORCHSCRIPT
                        || (manifest.format() == ModelFormat.DJL && !"OnnxRuntime".equalsIgnoreCase(manifest.engine())));
    }

    // ---- function instances: in the router's JVM, or each in its own function process ----

    @Singleton
    ProcessSettings processSettings(TorporSettings settings, FunctionProcessSettings process) {
        return process.toProcessSettings(settings.dataDir());
    }

    @Singleton
    @Bean(preDestroy = "close")
    Launcher launcher(TorporSettings settings, BackendRegistry backends, Clock clock,
                      jakarta.inject.Provider<ProcessSettings> processSettings,
                      jakarta.inject.Provider<KubernetesPodSettings> podSettings,
                      jakarta.inject.Provider<FunctionProcessSettings> process,
                      jakarta.inject.Provider<KubernetesClient> kubernetes) {
        return switch (settings.launcher()) {
            case PROCESS -> new ProcessLauncher(processSettings.get(), clock).start();
            case IN_PROCESS -> new InProcessLauncher(backends, clock);
            case KUBERNETES -> new KubernetesLauncher(kubernetes.get(), podSettings.get().toLauncherSettings(
                    kubernetes.get().getNamespace(), process.get().overheadMb(), settings.ortCacheDir()), clock).start();
        };
    }

    /**
     * The Kubernetes client of the kubernetes launcher, configured as fabric8 does: the in-cluster service account,
     * else {@code KUBERNETES_MASTER} / kubeconfig. Made only for that launcher; closed after it (Micronaut closes beans
     * in the reverse order of their creation).
     */
    @Singleton
    @Bean(preDestroy = "close")
    KubernetesClient kubernetesClient() {
        return new KubernetesClientBuilder().build();
    }

    /** How GPUs are found: once, at start-up. */
    @Singleton
    DeviceProbe deviceProbe(TorporSettings settings) {
        return settings.gpus().probe();
    }

    @Singleton
    OperatorLimits operatorLimits(Database database, Clock clock, TorporSettings settings) {
        return new OperatorLimits(new PoolLimitsRepository(database.dataSource(), clock),
                OperatorLimits.defaults(settings.cpuMemoryMb(), settings.defaultIdleTimeout()),
                settings.defaultIdleTimeout());
    }

    /**
     * The activator over the pool's devices: the CPU (the machine's memory; the pool limit {@code cpu.memoryMb}
     * lowers what instances may use) and the GPUs found at start-up.
     */
    @Singleton
    Activator activator(Launcher launcher, DeviceProbe probe, OperatorLimits limits, Clock clock) {
        List<Device> found = new java.util.ArrayList<>();
        found.add(Device.cpu(MachineMemory.totalMb()));
        found.addAll(probe.gpus());
        List<Device> devices = List.copyOf(found);
        return new Activator(launcher, () -> devices, limits, clock);
    }

    @Singleton
    Autoscaler autoscaler(Activator activator, ScalingSettings scaling) {
        return new Autoscaler(activator, scaling);
    }

    @Singleton
    Reaper reaper(Activator activator) {
        return new Reaper(activator);
    }

    @Singleton
    ModelConfigs modelConfigs(Database database, Clock clock) {
        return new ModelConfigs(new ModelConfigRepository(database.dataSource(), clock));
    }

    @Singleton
    ModelCatalog catalog(ModelStore store, BackendRegistry backends, ModelConfigs configs, Activator activator,
                         OperatorLimits limits, InputLimitSettings inputLimits) {
        return new ModelCatalog(store, backends, configs, activator, limits::defaultIdleTimeout,
                inputLimits.maxOutputBytes());
    }

    @Singleton
    WarmInstances warmInstances(ModelCatalog catalog, Activator activator) {
        return new WarmInstances(catalog, activator);
    }

    @Singleton
    @Bean(preDestroy = "close")
    Ledger ledger(Database database, BillingSettings billing) {
        return billing.enabled() ? new Ledger(database.dataSource()) : Ledger.discarding();
    }

    @Singleton
    BillingQuery billingQuery(Database database) {
        return new BillingQuery(database.dataSource());
    }

    @Singleton
    BillingSummary billingSummary(Database database) {
        return new BillingSummary(database.dataSource());
    }

    @Singleton
    InferenceService inferenceService(ModelCatalog catalog, ModelAccess access, Activator activator, Ledger ledger,
                                      Clock clock, TorporSettings settings, PriceTable prices,
                                      InputLimitSettings limits,
                                      @Named(TaskExecutors.BLOCKING) ExecutorService responder) {
        return new InferenceService(catalog, access, activator, ledger, new RecordIds(clock), clock,
                new InferenceRequestDecoder(limits.decode()), settings.maxRequestMb(), responder, prices::current);
    }
}
