package dev.torpor.function;

import java.util.List;

/**
 * What an instance answers for one request: the outputs and how long the engine took, measured inside
 * the instance so that billing counts engine time, not queueing or transport.
 */
public record InferenceOutcome(List<Tensor> outputs, long computeNanos) {

    public InferenceOutcome {
        outputs = List.copyOf(outputs);
    }
}
