package dev.torpor.function;

import java.util.List;

/**
 * What an instance answers for one request: the outputs and how long the engine took, measured inside
 * the instance so that billing counts engine time, not queueing or transport.
 *
 * @param computeNanos the request's engine time (its share of a batch's)
 * @param batchSize    how many requests shared the engine call (1 without dynamic batching)
 */
public record InferenceOutcome(List<Tensor> outputs, long computeNanos, int batchSize) {

    public InferenceOutcome {
        outputs = List.copyOf(outputs);
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
        }
    }

    /** An engine call of its own. */
    public InferenceOutcome(List<Tensor> outputs, long computeNanos) {
        this(outputs, computeNanos, 1);
    }
}
