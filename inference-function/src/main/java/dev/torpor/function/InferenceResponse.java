package dev.torpor.function;

import java.util.List;

/** An Open Inference Protocol response; {@code id} is null when the request had none. */
public record InferenceResponse(String modelName, String modelVersion, String id, List<Tensor> outputs) {

    public InferenceResponse {
        outputs = List.copyOf(outputs);
    }
}
