package dev.torpor.router;

import dev.torpor.function.BackendRegistry;
import dev.torpor.function.djl.DjlBackend;
import dev.torpor.function.djl.DjlEnvironment;
import dev.torpor.function.json.InferenceRequestDecoder;
import dev.torpor.function.onnx.OnnxBackend;
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

    /** The archive limits default to {@link ArchiveLimits#defaults()}; the properties exist for tests and operators. */
    @Singleton
    ModelStore modelStore(TorporSettings settings, Clock clock,
                          @Value("${torpor.archive-max-entries:0}") int maxEntries,
                          @Value("${torpor.archive-max-unpacked-mb:0}") long maxUnpackedMb) {
        ArchiveLimits defaults = ArchiveLimits.defaults();
        ArchiveLimits limits = new ArchiveLimits(maxEntries > 0 ? maxEntries : defaults.maxEntries(),
                maxUnpackedMb > 0 ? maxUnpackedMb * 1024 * 1024 : defaults.maxUnpackedBytes());
        return new FileSystemModelStore(settings.modelsDir(), clock, limits);
    }

    /**
     * ONNX Runtime directly, and DJL (TorchScript, DJL-format and ONNX-through-DJL models). DJL is made offline
     * with its cache under the data dir before any DJL class starts, and the PyTorch engine (a one-time ~430 MB
     * native unpack) starts in the background now, so that a user's first request does not pay for it.
     */
    @Singleton
    BackendRegistry backends(TorporSettings settings) {
        Path djlCache = DjlEnvironment.prepare(settings.dataDir());
        DjlEnvironment.warmUpInBackground(djlCache);
        return new BackendRegistry(List.of(new OnnxBackend(), new DjlBackend()));
    }

    @Singleton
    Launcher launcher(BackendRegistry backends, Clock clock) {
        return new InProcessLauncher(backends, clock);
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
