package dev.torpor.samples.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How the bench encodes a request body: plain V2 JSON; Triton's binary tensor extension both ways (inputs as raw
 * bytes after the JSON header, outputs asked for with {@code binary_data_output}); or JSON inputs with binary
 * outputs. See docs/API.md, "Binary tensor data".
 */
enum RequestFormat {
    JSON("JSON", false, false),
    BINARY("binary in + out", true, true),
    JSON_IN_BINARY_OUT("JSON in, binary out", false, true);

    /** A ready body: {@code headerLength} is the Inference-Header-Content-Length, or -1 for plain JSON. */
    record Body(byte[] bytes, String contentType, int headerLength) {
    }

    final String label;
    private final boolean binaryInputs;
    private final boolean binaryOutputs;

    RequestFormat(String label, boolean binaryInputs, boolean binaryOutputs) {
        this.label = label;
        this.binaryInputs = binaryInputs;
        this.binaryOutputs = binaryOutputs;
    }

    /** The JSON part of the request (the whole request for {@link #JSON}). */
    String jsonHeader(List<InputTensor> inputs) {
        StringBuilder json = new StringBuilder(binaryInputs ? 256 : 16 * inputs.stream().mapToInt(InputTensor::elements).sum());
        json.append("{\"inputs\":[");
        for (int i = 0; i < inputs.size(); i++) {
            if (i > 0) {
                json.append(',');
            }
            inputs.get(i).appendJson(json, binaryInputs);
        }
        json.append(']');
        if (binaryOutputs) {
            json.append(",\"parameters\":{\"binary_data_output\":true}");
        }
        return json.append('}').toString();
    }

    Body body(List<InputTensor> inputs) {
        byte[] header = jsonHeader(inputs).getBytes(StandardCharsets.UTF_8);
        if (!binaryInputs) {
            return new Body(header, "application/json", -1); // all JSON: no header length needed
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(header);
        inputs.forEach(tensor -> body.writeBytes(tensor.rawBytes()));
        return new Body(body.toByteArray(), "application/octet-stream", header.length);
    }
}
