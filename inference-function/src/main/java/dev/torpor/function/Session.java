package dev.torpor.function;

import java.util.List;

/**
 * One loaded model inside an engine. {@link #run} may be called from several threads at once (the engines
 * used here are thread-safe for concurrent runs). {@link #close()} frees native memory; the caller makes
 * sure no run is in flight when it closes.
 */
public interface Session extends AutoCloseable {

    /**
     * Runs the model. The request has already been checked against the model's signature.
     *
     * @return the outputs the request asked for (every output when it named none), in signature order
     * @throws dev.torpor.error.BadInput      when the engine refuses this input
     * @throws dev.torpor.error.EngineFailure when the engine fails for another reason
     * @throws dev.torpor.error.RequestCancelled when {@code control} was cancelled during the run
     */
    List<Tensor> run(InferenceRequest request, RunControl control);

    @Override
    void close();
}
