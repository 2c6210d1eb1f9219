package dev.torpor.function;

/**
 * Engine threading for one session, from the model config's {@code runtime} block. One intra-op thread is
 * the default: on small machines the engines' spinning thread pools fight each other and the caller's
 * threads (measured: ~30k inferences/s with one thread against ~10k/s with the engine's default).
 */
public record RuntimeOptions(int intraOpThreads, int interOpThreads) {
    public static final RuntimeOptions DEFAULT = new RuntimeOptions(1, 1);

    public RuntimeOptions {
        if (intraOpThreads < 1 || interOpThreads < 1) {
            throw new IllegalArgumentException("engine thread counts must be at least 1");
        }
    }
}
