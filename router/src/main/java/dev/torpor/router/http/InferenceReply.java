package dev.torpor.router.http;

import java.util.Map;

/**
 * An answered infer request: status, body and the headers billing adds. {@code binary}: the body is JSON
 * followed by binary tensor data (its JSON length is in the {@code Inference-Header-Content-Length} header).
 */
record InferenceReply(int status, byte[] body, Map<String, String> headers, boolean binary) {
}
