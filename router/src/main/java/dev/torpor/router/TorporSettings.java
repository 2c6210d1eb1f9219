package dev.torpor.router;

import static dev.torpor.router.config.SettingChecks.positiveSeconds;
import static dev.torpor.router.config.SettingChecks.wholeNumber;

import dev.torpor.pool.GpuDiscovery;
import io.micronaut.context.annotation.ConfigurationInject;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The router's own settings, bound from {@code torpor.*} in {@code application.yml} (where each default sits next
 * to the {@code TORPOR_*} environment variable that overrides it) and validated here, so a bad value stops
 * start-up with a message naming the variable instead of surfacing later. Immutable.
 *
 * @param dataDir            the data dir (TORPOR_DATA_DIR), absolute; binding creates it and its {@code models}
 * @param dbUrl              JDBC URL of the database for the ledger and all control state (TORPOR_DB_URL); a
 *                           SQLite file in the data dir when not set
 * @param launcher           where instances run (TORPOR_LAUNCHER)
 * @param maxUploadMb        publish size limit (TORPOR_MAX_UPLOAD_MB)
 * @param maxRequestMb       infer request body limit (TORPOR_MAX_REQUEST_MB), below 2048 (one Java array)
 * @param maxBlockingThreads the bounded blocking executor's threads (TORPOR_MAX_BLOCKING_THREADS)
 * @param defaultIdleTimeout idle time before an instance is reaped (TORPOR_DEFAULT_IDLE_TIMEOUT_SECONDS)
 * @param shutdownGrace      how long SIGTERM waits for queued and running requests (TORPOR_SHUTDOWN_GRACE_SECONDS)
 * @param cpuMemoryMb        the default of the pool limit {@code cpu.memoryMb} (TORPOR_CPU_MEMORY_MB); 75 % of the
 *                           machine's memory when not set
 * @param gpus               how GPUs are found (TORPOR_GPUS)
 */
@ConfigurationProperties("torpor")
public record TorporSettings(
        Path dataDir,
        String dbUrl,
        LauncherKind launcher,
        long maxUploadMb,
        long maxRequestMb,
        int maxBlockingThreads,
        Duration defaultIdleTimeout,
        Duration shutdownGrace,
        long cpuMemoryMb,
        GpuDiscovery gpus) {

    public TorporSettings {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(launcher, "launcher");
        Objects.requireNonNull(gpus, "gpus");
        if (maxUploadMb < 1) {
            throw new IllegalArgumentException("TORPOR_MAX_UPLOAD_MB must be at least 1, got " + maxUploadMb);
        }
        if (maxRequestMb < 1) {
            throw new IllegalArgumentException("TORPOR_MAX_REQUEST_MB must be at least 1, got " + maxRequestMb);
        }
        if (maxRequestMb > 2047) {
            throw new IllegalArgumentException("TORPOR_MAX_REQUEST_MB must be below 2048 (one Java array), got "
                    + maxRequestMb);
        }
        if (maxBlockingThreads < 1) {
            throw new IllegalArgumentException("TORPOR_MAX_BLOCKING_THREADS must be at least 1, got "
                    + maxBlockingThreads);
        }
        if (defaultIdleTimeout.isNegative() || defaultIdleTimeout.isZero()) {
            throw new IllegalArgumentException("TORPOR_DEFAULT_IDLE_TIMEOUT_SECONDS must be at least 1");
        }
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("TORPOR_SHUTDOWN_GRACE_SECONDS must not be negative");
        }
        if (cpuMemoryMb < 1) {
            throw new IllegalArgumentException("TORPOR_CPU_MEMORY_MB must be at least 1, got " + cpuMemoryMb);
        }
        if (dbUrl == null || dbUrl.isBlank()) {
            dbUrl = "jdbc:sqlite:" + dataDir.resolve("torpor.db").toAbsolutePath();
        }
    }

    /**
     * Binds the settings from their configuration text: the data dir is made absolute and created, an empty
     * {@code cpuMemoryMb} means 75 % of the machine's memory, and the launcher and GPU discovery are parsed.
     */
    @ConfigurationInject
    TorporSettings(String dataDir, @Nullable String dbUrl, String launcher, long maxUploadMb, long maxRequestMb,
                   int maxBlockingThreads, long defaultIdleTimeoutSeconds, long shutdownGraceSeconds, @Nullable String cpuMemoryMb,
                   String gpus) {
        this(createdDataDir(dataDir), dbUrl, LauncherKind.parse(launcher.trim()), maxUploadMb, maxRequestMb, maxBlockingThreads,
                positiveSeconds("TORPOR_DEFAULT_IDLE_TIMEOUT_SECONDS", defaultIdleTimeoutSeconds),
                Duration.ofSeconds(shutdownGraceSeconds),
                cpuMemoryMb == null || cpuMemoryMb.isBlank() ? MachineMemory.threeQuartersMb()
                        : wholeNumber("TORPOR_CPU_MEMORY_MB", cpuMemoryMb),
                GpuDiscovery.parse("TORPOR_GPUS", gpus.trim()));
    }

    private static Path createdDataDir(String dataDir) {
        Path data = Path.of(dataDir).toAbsolutePath().normalize();
        try {
            Files.createDirectories(data.resolve("models"));
        } catch (IOException unusable) {
            throw new UncheckedIOException("cannot create the data dir " + data + " (TORPOR_DATA_DIR)", unusable);
        }
        return data;
    }

    public long maxUploadBytes() {
        return maxUploadMb * 1024 * 1024;
    }

    public long maxRequestBytes() {
        return maxRequestMb * 1024 * 1024;
    }

    /** ONNX Runtime's optimized-model cache (graph-optimized models in ORT format). */
    public Path ortCacheDir() {
        return dataDir.resolve("cache").resolve("ort");
    }

    public Path modelsDir() {
        return dataDir.resolve("models");
    }
}
