package dev.torpor.function;

import dev.torpor.error.BadInput;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The checks every engine session makes before it runs, whatever the engine: the request's inputs are
 * exactly the model's, and the outputs it asks for exist. Engines differ in what they would do with a
 * missing input (ONNX Runtime fails deep inside the graph with a 500-looking error), so sessions check first.
 */
public final class SessionChecks {
    private SessionChecks() {
    }

    /** @throws BadInput for an input the model does not have, or one of the model's inputs that is missing */
    public static void checkInputs(InferenceRequest request, List<String> inputNames) {
        for (Tensor tensor : request.inputs()) {
            if (!inputNames.contains(tensor.name())) {
                throw new BadInput("unknown input '" + tensor.name() + "'; the model's inputs are " + inputNames);
            }
        }
        for (String name : inputNames) {
            if (request.input(name).isEmpty()) {
                throw new BadInput("missing input '" + name + "'");
            }
        }
    }

    /**
     * The requested outputs in the model's order, or all of them when the request names none.
     *
     * @throws BadInput for a requested output the model does not have
     */
    public static List<String> wantedOutputs(InferenceRequest request, List<String> outputNames) {
        if (request.requestedOutputs().isEmpty()) {
            return outputNames;
        }
        Set<String> requested = new LinkedHashSet<>(request.requestedOutputs());
        for (String name : requested) {
            if (!outputNames.contains(name)) {
                throw new BadInput("unknown output '" + name + "'; the model's outputs are " + outputNames);
            }
        }
        return outputNames.stream().filter(requested::contains).toList();
    }
}
