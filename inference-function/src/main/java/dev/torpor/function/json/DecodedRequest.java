package dev.torpor.function.json;

import dev.torpor.function.InferenceRequest;
import java.util.Map;

/**
 * A decoded infer request and how its client wants the outputs back: as JSON {@code data}, or as binary
 * tensor data after the JSON (the binary tensor data extension's {@code binary_data} on an output, which
 * overrides the request's {@code binary_data_output}).
 *
 * @param binaryByDefault the request's {@code binary_data_output} (false when absent)
 * @param binaryOutputs   {@code binary_data} of the outputs that set it, by output name
 */
public record DecodedRequest(InferenceRequest request, boolean binaryByDefault, Map<String, Boolean> binaryOutputs) {

    public DecodedRequest {
        binaryOutputs = Map.copyOf(binaryOutputs);
    }

    /** A request that wants every output as JSON. */
    public static DecodedRequest json(InferenceRequest request) {
        return new DecodedRequest(request, false, Map.of());
    }

    /** Whether output {@code name} goes back as binary data. */
    public boolean binaryOutput(String name) {
        return binaryOutputs.getOrDefault(name, binaryByDefault);
    }

    /** Whether any output may go back as binary data. */
    public boolean anyBinaryOutput() {
        return binaryByDefault || binaryOutputs.containsValue(Boolean.TRUE);
    }
}
