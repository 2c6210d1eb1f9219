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
import dev.torpor.pool.FakeDeviceProbe;
import dev.torpor.pool.InProcessLauncher;
import dev.torpor.pool.Launcher;
import dev.torpor.pool.NvidiaSmiProbe;
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
import dev.torpor.store.ArchiveLimits;
import dev.torpor.store.FileSystemModelStore;
import dev.torpor.store.ModelFormat;
import dev.torpor.store.ModelStore;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.micronaut.scheduling.TaskExecutors;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;

/**
 * Wires Torpor's plain-Java cores into Micronaut: this is the only place that knows how they fit together.
 * Beans with resources are closed by Micronaut in reverse order when the context stops.
 */
@Factory
public class TorporFactory {

    @Singleton
    TorporSettings settings(@Value("${torpor.data-dir}") String dataDir,
                            @Value("${torpor.db-url:}") String dbUrl,
                            @Value("${torpor.launcher}") String launcher,
                            @Value("${torpor.max-upload-mb}") long maxUploadMb,
                            @Value("${torpor.max-request-mb}") long maxRequestMb,
                            @Value("${torpor.default-idle-timeout-seconds}") long idleSeconds,
                            @Value("${torpor.shutdown-grace-seconds:30}") long graceSeconds,
                            @Value("${torpor.cpu-memory-mb:}") String cpuMemoryMb,
                            @Value("${torpor.gpus:auto}") String gpus,
                            @Value("${torpor.scale.target-utilisation:0.7}") double targetUtilisation,
                            @Value("${torpor.scale.stable-window-seconds:60}") long stableSeconds,
                            @Value("${torpor.scale.panic-window-seconds:6}") long panicSeconds,
                            @Value("${torpor.scale.panic-threshold:2.0}") double panicThreshold,
                            @Value("${torpor.scale.tick-ms:1000}") long tickMillis) {
        Path data = Path.of(dataDir).toAbsolutePath().normalize();
        try {
            Files.createDirectories(data.resolve("models"));
        } catch (IOException unusable) {
            throw new UncheckedIOException("cannot create the data dir " + data + " (TORPOR_DATA_DIR)", unusable);
        }
        long cpuMemory = cpuMemoryMb == null || cpuMemoryMb.isBlank() ? threeQuartersOfMachineMemoryMb()
                : Long.parseLong(cpuMemoryMb.trim());
        var scaling = new ScalingSettings(targetUtilisation, Duration.ofSeconds(stableSeconds),
                Duration.ofSeconds(panicSeconds), panicThreshold, Duration.ofMillis(tickMillis));
        return new TorporSettings(data, dbUrl, launcher, maxUploadMb, maxRequestMb, Duration.ofSeconds(idleSeconds),
                Duration.ofSeconds(graceSeconds), cpuMemory, gpus.trim(), scaling);
    }

    private static long threeQuartersOfMachineMemoryMb() {
        return Math.max(1, machineMemoryMb() * 3 / 4);
    }

    private static long machineMemoryMb() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        long total = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize()
                : Runtime.getRuntime().maxMemory();
        return Math.max(1, total / (1024 * 1024));
    }

    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Singleton
    @Bean(preDestroy = "close")
    Database database(TorporSettings settings) {
        return new Database(settings.dbUrl());
    }

    /** The limits on requests, answers and archives (docs/SECURITY.md); defaults here match application.yml's. */
    @Singleton
    InputLimitSettings inputLimits(@Value("${torpor.max-request-elements:64000000}") long maxElements,
                                   @Value("${torpor.max-request-inputs:256}") int maxInputs,
                                   @Value("${torpor.max-request-outputs:256}") int maxOutputs,
                                   @Value("${torpor.max-shape-rank:16}") int maxRank,
                                   @Value("${torpor.max-json-depth:32}") int maxJsonDepth,
                                   @Value("${torpor.max-bytes-element-length:1048576}") int maxBytesElementLength,
                                   @Value("${torpor.max-request-bytes-data-mb:16}") long maxBytesDataMb,
                                   @Value("${torpor.max-output-mb:64}") long maxOutputMb,
                                   @Value("${torpor.archive-max-entries:1000}") int archiveMaxEntries,
                                   @Value("${torpor.archive-max-unpacked-mb:4096}") long archiveMaxUnpackedMb) {
        return InputLimitSettings.of(maxElements, maxInputs, maxOutputs, maxRank, maxJsonDepth, maxBytesElementLength,
                maxBytesDataMb, maxOutputMb, archiveMaxEntries, archiveMaxUnpackedMb);
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
    ProcessSettings processSettings(TorporSettings settings,
                                    @Value("${torpor.process.warm-pool-size:1}") int warmPoolSize,
                                    @Value("${torpor.process.overhead-mb:256}") long overheadMb,
                                    @Value("${torpor.process.pool-heap-mb:256}") long poolHeapMb,
                                    @Value("${torpor.process.health-timeout-seconds:10}") long healthTimeoutSeconds,
                                    @Value("${torpor.process.java:}") String java,
                                    @Value("${torpor.process.jvm-options:}") String jvmOptions,
                                    @Value("${torpor.process.uid-base:61000}") int uidBase,
                                    @Value("${torpor.process.uid-count:1000}") int uidCount,
                                    @Value("${torpor.process.cgroups:true}") boolean cgroups) {
        ProcessSettings defaults = ProcessSettings.defaults(settings.dataDir());
        return new ProcessSettings(java.isBlank() ? defaults.javaCommand() : java, defaults.classPath(),
                settings.dataDir(), warmPoolSize, poolHeapMb, overheadMb, defaults.healthInterval(),
                Duration.ofSeconds(healthTimeoutSeconds), defaults.startTimeout(),
                jvmOptions.isBlank() ? List.of() : List.of(jvmOptions.trim().split("\\s+")), uidBase, uidCount, cgroups);
    }

    @Singleton
    @Bean(preDestroy = "close")
    Launcher launcher(TorporSettings settings, BackendRegistry backends, Clock clock,
                      jakarta.inject.Provider<ProcessSettings> processSettings) {
        return settings.launcher().equals("process") ? new ProcessLauncher(processSettings.get(), clock).start()
                : new InProcessLauncher(backends, clock);
    }

    /** How GPUs are found: once, at start-up. */
    @Singleton
    DeviceProbe deviceProbe(TorporSettings settings) {
        if (settings.gpus().equals("none")) {
            return new FakeDeviceProbe(List.of());
        }
        if (settings.gpus().startsWith("fake:")) {
            String[] spec = settings.gpus().substring(5).split("x");
            return FakeDeviceProbe.of(Integer.parseInt(spec[0]), Long.parseLong(spec[1]));
        }
        return new NvidiaSmiProbe();
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
        found.add(Device.cpu(machineMemoryMb()));
        found.addAll(probe.gpus());
        List<Device> devices = List.copyOf(found);
        return new Activator(launcher, () -> devices, limits, clock);
    }

    @Singleton
    Autoscaler autoscaler(Activator activator, TorporSettings settings) {
        return new Autoscaler(activator, settings.scaling());
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
