package dev.torpor.samples.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The FP32 outputs of an infer response, JSON or with binary outputs (Inference-Header-Content-Length: the JSON,
 * then each binary output's raw little-endian bytes in output order), and the check that they equal the floor's.
 */
final class ServedOutputs {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ServedOutputs() {
    }

    static Map<String, float[]> parse(HttpConnection.Response response) throws IOException {
        byte[] body = response.body();
        int jsonLength = response.headerLength() == null ? body.length : Integer.parseInt(response.headerLength());
        JsonNode json = JSON.readTree(body, 0, jsonLength);
        ByteBuffer raw = ByteBuffer.wrap(body, jsonLength, body.length - jsonLength).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, float[]> outputs = new LinkedHashMap<>();
        for (JsonNode output : json.path("outputs")) {
            JsonNode size = output.path("parameters").path("binary_data_size");
            float[] values;
            if (size.isNumber()) {
                values = new float[size.asInt() / 4];
                raw.asFloatBuffer().get(values);
                raw.position(raw.position() + size.asInt());
            } else {
                values = TorporClient.floats(output.path("data"));
            }
            outputs.put(output.path("name").asText(), values);
        }
        return outputs;
    }

    /**
     * Same names, same lengths, every value within 1e-5 absolute + 1e-4 relative (a batched engine call may
     * round differently); returns the largest absolute difference, for the report.
     */
    static double requireClose(Map<String, float[]> floor, Map<String, float[]> served, String what) {
        if (!floor.keySet().equals(served.keySet())) {
            throw new IllegalStateException(what + ": outputs " + served.keySet() + ", the floor has " + floor.keySet());
        }
        double worst = 0;
        for (Map.Entry<String, float[]> entry : floor.entrySet()) {
            float[] expected = entry.getValue();
            float[] actual = served.get(entry.getKey());
            if (expected.length != actual.length) {
                throw new IllegalStateException(what + ": output " + entry.getKey() + " has " + actual.length
                        + " values, the floor's " + expected.length);
            }
            for (int i = 0; i < expected.length; i++) {
                double difference = Math.abs((double) expected[i] - actual[i]);
                if (!(difference <= 1e-5 + 1e-4 * Math.abs(expected[i]))) {
                    throw new IllegalStateException(what + ": output " + entry.getKey() + "[" + i + "] is " + actual[i]
                            + ", the floor's " + expected[i]);
                }
                worst = Math.max(worst, difference);
            }
        }
        return worst;
    }
}
