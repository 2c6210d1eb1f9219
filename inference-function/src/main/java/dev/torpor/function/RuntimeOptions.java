package dev.torpor.function;

/**
 * Engine threading for one session, from the model config's {@code runtime} block, and the device it runs on.
 * One intra-op thread is the default: on small machines the engines' spinning thread pools fight each other
 * and the caller's threads (measured: ~30k inferences/s with one thread against ~10k/s with the engine's
 * default).
 *
 * @param gpuDevice the driver's index of the GPU the session runs on ({@code gpu:N} → N), or -1 for the CPU.
 *                  ONNX Runtime appends its CUDA execution provider on that device; DJL uses {@code Device.gpu(N)}
 * @param maxOutputBytes what one run's outputs may take together in Java arrays ({@link OutputLimit});
 *                  the router's TORPOR_MAX_OUTPUT_MB
 */
public record RuntimeOptions(int intraOpThreads, int interOpThreads, int gpuDevice, long maxOutputBytes) {
    /** 64 MiB: the default of TORPOR_MAX_OUTPUT_MB, as large as the default inference request limit. */
    public static final long DEFAULT_MAX_OUTPUT_BYTES = 64L * 1024 * 1024;
    public static final RuntimeOptions DEFAULT = new RuntimeOptions(1, 1);

    public RuntimeOptions {
        if (intraOpThreads < 1 || interOpThreads < 1) {
            throw new IllegalArgumentException("engine thread counts must be at least 1");
        }
        if (gpuDevice < -1) {
            throw new IllegalArgumentException("gpuDevice must be a GPU index or -1 for the CPU");
        }
        if (maxOutputBytes < 1) {
            throw new IllegalArgumentException("maxOutputBytes must be at least 1, not " + maxOutputBytes);
        }
    }

    /** Options for the CPU, with the default output limit. */
    public RuntimeOptions(int intraOpThreads, int interOpThreads) {
        this(intraOpThreads, interOpThreads, -1);
    }

    /** Options with the default output limit. */
    public RuntimeOptions(int intraOpThreads, int interOpThreads, int gpuDevice) {
        this(intraOpThreads, interOpThreads, gpuDevice, DEFAULT_MAX_OUTPUT_BYTES);
    }

    /** A fresh {@link OutputLimit} for one run. */
    public OutputLimit outputLimit() {
        return new OutputLimit(maxOutputBytes);
    }

    /** The same options with another output limit. */
    public RuntimeOptions withMaxOutputBytes(long bytes) {
        return new RuntimeOptions(intraOpThreads, interOpThreads, gpuDevice, bytes);
    }

    public boolean onGpu() {
        return gpuDevice >= 0;
    }

    /** The same threading on GPU {@code index} (-1: the CPU). */
    public RuntimeOptions onDevice(int index) {
        return new RuntimeOptions(intraOpThreads, interOpThreads, index, maxOutputBytes);
    }
}
