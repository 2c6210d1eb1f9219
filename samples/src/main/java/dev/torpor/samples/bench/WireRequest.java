package dev.torpor.samples.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP/1.1 request encoded once, before the timed loop, and written as is on every call: the load generator
 * builds nothing per request.
 */
record WireRequest(String path, byte[] bytes) {
    /**
     * @param bearer the {@code Authorization: Bearer} token, or null when the router has no keys
     */
    static WireRequest post(String host, String path, RequestFormat.Body body, String bearer) {
        StringBuilder head = new StringBuilder(256)
                .append("POST ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append("\r\n")
                .append("Content-Type: ").append(body.contentType()).append("\r\n")
                .append("Content-Length: ").append(body.bytes().length).append("\r\n");
        if (body.headerLength() >= 0) {
            head.append("Inference-Header-Content-Length: ").append(body.headerLength()).append("\r\n");
        }
        if (bearer != null) {
            head.append("Authorization: Bearer ").append(bearer).append("\r\n");
        }
        head.append("\r\n");
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        wire.writeBytes(body.bytes());
        return new WireRequest(path, wire.toByteArray());
    }
}
