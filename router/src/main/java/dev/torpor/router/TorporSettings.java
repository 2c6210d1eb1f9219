package dev.torpor.router;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The router's own settings, read from {@code application.yml} (each overridable by its
 * {@code TORPOR_*} environment variable) and validated here, so a bad value stops start-up with a clear
 * message instead of surfacing later.
 *
 * @param dbUrl        JDBC URL of the database for the ledger and all control state
 * @param cpuMemoryMb  the default of the pool limit {@code cpu.memoryMb} (TORPOR_CPU_MEMORY_MB)
 * @param gpus         how GPUs are found (TORPOR_GPUS): {@code auto} (nvidia-smi), {@code none}, or
 *                     {@code fake:COUNTxMB} (pretend GPUs, for tests and demos: instances placed on them fail to
 *                     start unless ONNX Runtime's CUDA provider is present)
 * @param scaling      the autoscaler's windows and target
 */
public record TorporSettings(
        Path dataDir,
        String dbUrl,
        String launcher,
        long maxUploadMb,
        long maxRequestMb,
        Duration defaultIdleTimeout,
        Duration shutdownGrace,
        long cpuMemoryMb,
        String gpus,
        dev.torpor.router.activation.ScalingSettings scaling) {

    public TorporSettings {
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
        if (defaultIdleTimeout.isNegative() || defaultIdleTimeout.isZero()) {
            throw new IllegalArgumentException("TORPOR_DEFAULT_IDLE_TIMEOUT_SECONDS must be at least 1");
        }
        if (!launcher.equals("in-process") && !launcher.equals("process")) {
            throw new IllegalArgumentException("TORPOR_LAUNCHER must be 'process' (each instance in its own function"
                    + " process) or 'in-process' (instances in the router's JVM); got '" + launcher + "'");
        }
        if (cpuMemoryMb < 1) {
            throw new IllegalArgumentException("TORPOR_CPU_MEMORY_MB must be at least 1, got " + cpuMemoryMb);
        }
        if (!gpus.equals("auto") && !gpus.equals("none") && !gpus.matches("fake:[1-9][0-9]{0,2}x[1-9][0-9]{0,8}")) {
            throw new IllegalArgumentException("TORPOR_GPUS must be auto, none or fake:COUNTxMB (e.g. fake:2x16384); got '"
                    + gpus + "'");
        }
        if (dbUrl == null || dbUrl.isBlank()) {
            dbUrl = "jdbc:sqlite:" + dataDir.resolve("torpor.db").toAbsolutePath();
        }
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
