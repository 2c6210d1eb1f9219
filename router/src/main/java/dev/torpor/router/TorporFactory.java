package dev.torpor.router;

import dev.torpor.function.BackendRegistry;
import dev.torpor.function.json.InferenceRequestDecoder;
import ai.onnxruntime.OrtEnvironment;
import dev.torpor.function.onnx.OnnxBackend;
import dev.torpor.function.onnx.OrtModelCache;
import dev.torpor.pool.process.ProcessLauncher;
import dev.torpor.pool.process.ProcessSettings;
import dev.torpor.pool.Device;
import dev.torpor.pool.InProcessLauncher;
import dev.torpor.pool.Launcher;
import dev.torpor.router.activation.Activator;
import dev.torpor.router.activation.Reaper;
import dev.torpor.router.billing.BillingQuery;
import dev.torpor.router.billing.BillingSummary;
import dev.torpor.router.billing.Ledger;
import dev.torpor.router.billing.RecordIds;
import dev.torpor.router.db.Database;
import dev.torpor.router.http.InferenceService;
import dev.torpor.router.model.ModelCatalog;
import dev.torpor.router.model.ModelConfigRepository;
import dev.torpor.router.model.ModelConfigs;
import dev.torpor.router.model.WarmInstances;
import dev.torpor.store.ArchiveLimits;
import dev.torpor.store.FileSystemModelStore;
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
                            @Value("${torpor.cpu-memory-mb:}") String cpuMemoryMb) {
        Path data = Path.of(dataDir).toAbsolutePath().normalize();
        try {
            Files.createDirectories(data.resolve("models"));
        } catch (IOException unusable) {
            throw new UncheckedIOException("cannot create the data dir " + data + " (TORPOR_DATA_DIR)", unusable);
        }
        long cpuMemory = cpuMemoryMb == null || cpuMemoryMb.isBlank() ? threeQuartersOfMachineMemoryMb()
                : Long.parseLong(cpuMemoryMb.trim());
        return new TorporSettings(data, dbUrl, launcher, maxUploadMb, maxRequestMb, Duration.ofSeconds(idleSeconds),
                Duration.ofSeconds(graceSeconds), cpuMemory);
    }

    private static long threeQuartersOfMachineMemoryMb() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        long total = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize()
                : Runtime.getRuntime().maxMemory();
        return Math.max(1, total / (1024 * 1024) * 3 / 4);
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

    @Singleton
    ModelStore modelStore(TorporSettings settings, Clock clock) {
        return new FileSystemModelStore(settings.modelsDir(), clock, ArchiveLimits.defaults());
    }

    @Singleton
    BackendRegistry backends(TorporSettings settings) {
        // Loads, in-process or in function processes, share ORT's optimized-model cache in the data dir.
        return new BackendRegistry(List.of(new OnnxBackend(OrtEnvironment.getEnvironment(),
                new OrtModelCache(settings.ortCacheDir()))));
    }

    // ---- function instances: in the router's JVM, or each in its own function process ----

    @Singleton
    ProcessSettings processSettings(TorporSettings settings,
                                    @Value("${torpor.process.warm-pool-size:1}") int warmPoolSize,
                                    @Value("${torpor.process.overhead-mb:256}") long overheadMb,
                                    @Value("${torpor.process.pool-heap-mb:256}") long poolHeapMb,
                                    @Value("${torpor.process.health-timeout-seconds:10}") long healthTimeoutSeconds,
                                    @Value("${torpor.process.java:}") String java,
                                    @Value("${torpor.process.jvm-options:}") String jvmOptions) {
        ProcessSettings defaults = ProcessSettings.defaults(settings.dataDir());
        return new ProcessSettings(java.isBlank() ? defaults.javaCommand() : java, defaults.classPath(),
                settings.dataDir(), warmPoolSize, poolHeapMb, overheadMb, defaults.healthInterval(),
                Duration.ofSeconds(healthTimeoutSeconds), defaults.startTimeout(),
                jvmOptions.isBlank() ? List.of() : List.of(jvmOptions.trim().split("\\s+")));
    }

    @Singleton
    @Bean(preDestroy = "close")
    Launcher launcher(TorporSettings settings, BackendRegistry backends, Clock clock,
                      jakarta.inject.Provider<ProcessSettings> processSettings) {
        return settings.launcher().equals("process") ? new ProcessLauncher(processSettings.get(), clock)
                : new InProcessLauncher(backends, clock);
    }

    @Singleton
    Activator activator(Launcher launcher, TorporSettings settings, Clock clock) {
        List<Device> devices = List.of(Device.cpu(settings.cpuMemoryMb()));
        return new Activator(launcher, () -> devices, clock);
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
                         TorporSettings settings) {
        return new ModelCatalog(store, backends, configs, activator, settings.defaultIdleTimeout());
    }

    @Singleton
    WarmInstances warmInstances(ModelCatalog catalog, Activator activator) {
        return new WarmInstances(catalog, activator);
    }

    @Singleton
    @Bean(preDestroy = "close")
    Ledger ledger(Database database) {
        return new Ledger(database.dataSource());
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
    InferenceService inferenceService(ModelCatalog catalog, Activator activator, Ledger ledger, Clock clock,
                                      TorporSettings settings,
                                      @Named(TaskExecutors.BLOCKING) ExecutorService responder) {
        return new InferenceService(catalog, activator, ledger, new RecordIds(clock), clock,
                new InferenceRequestDecoder(), settings.maxRequestMb(), responder);
    }
}
