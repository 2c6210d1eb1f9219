package dev.torpor.function;

import java.util.List;
import java.util.Optional;

/**
 * A decoded Open Inference Protocol request.
 *
 * @param id               the client's request id, echoed in the response; null when absent
 * @param inputs           the input tensors, in the order the client sent them
 * @param requestedOutputs the outputs the client asked for by name; empty means every output
 */
public record InferenceRequest(String id, List<Tensor> inputs, List<String> requestedOutputs) {

    public InferenceRequest {
        inputs = List.copyOf(inputs);
        requestedOutputs = List.copyOf(requestedOutputs);
    }

    public Optional<Tensor> input(String name) {
        return inputs.stream().filter(tensor -> tensor.name().equals(name)).findFirst();
    }
}
