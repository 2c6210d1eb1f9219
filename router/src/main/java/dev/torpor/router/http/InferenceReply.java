package dev.torpor.router.http;

import java.util.Map;

/** An answered infer request: status, JSON body and the headers billing adds. */
record InferenceReply(int status, byte[] body, Map<String, String> headers) {
}
