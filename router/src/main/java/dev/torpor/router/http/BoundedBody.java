package dev.torpor.router.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.torpor.error.BadRequest;
import dev.torpor.error.PayloadTooLarge;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a request body into memory up to a limit, refusing a declared {@code Content-Length} over the
 * limit before reading a byte, and a chunked body as soon as it passes the limit. The body is closed on
 * every path, so a refused body never leaves its connection waiting for a reader.
 */
final class BoundedBody {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BoundedBody() {
    }

    /**
     * A bounded body parsed as one JSON document: null for an absent or empty body; 400 for malformed JSON.
     *
     * @param body may be null (Micronaut binds an empty body so)
     */
    static JsonNode readJson(InputStream body, long declaredLength, long limit, String limitName) {
        byte[] bytes = body == null ? new byte[0] : read(body, declaredLength, limit, limitName);
        try {
            return bytes.length == 0 ? null : JSON.readTree(bytes);
        } catch (IOException malformed) {
            throw new BadRequest("malformed JSON: " + malformed.getMessage());
        }
    }

    /**
     * @param declaredLength the {@code Content-Length}, or -1 when the body is chunked
     * @param limitName how the limit is called in the 413 message, e.g. "the 64 MB inference request limit
     *                  (TORPOR_MAX_REQUEST_MB)"
     */
    static byte[] read(InputStream body, long declaredLength, long limit, String limitName) {
        try (body) {
            if (declaredLength > limit) {
                throw new PayloadTooLarge("request body of " + declaredLength + " bytes exceeds " + limitName);
            }
            int initial = (int) Math.min(declaredLength >= 0 ? declaredLength : 8192, limit);
            ByteArrayOutputStream buffer = new ByteArrayOutputStream(Math.max(initial, 16));
            byte[] chunk = new byte[64 * 1024];
            long total = 0;
            int read;
            while ((read = body.read(chunk)) != -1) {
                total += read;
                if (total > limit) {
                    throw new PayloadTooLarge("request body exceeds " + limitName);
                }
                buffer.write(chunk, 0, read);
            }
            return buffer.toByteArray();
        } catch (IOException broken) {
            throw new BadRequest("could not read the request body: " + broken.getMessage());
        }
    }
}
