package dev.torpor.function.json;

import dev.torpor.error.PayloadTooLarge;

/**
 * What one request's BYTES elements may hold together ({@link DecodeLimits#maxBytesPerRequest()}). Each element
 * costs its UTF-8 length plus 4, as in the binary layout: an empty string is cheap on the wire but is still a
 * Java object, so a body of {@code ["","",…]} must not turn into millions of them. One instance serves one request.
 */
final class BytesBudget {
    private final long limit;
    private long spent;

    BytesBudget(long limit) {
        this.limit = limit;
    }

    /**
     * Spends {@code bytes} for {@code what}, e.g. "input 's' data[3]".
     *
     * @throws PayloadTooLarge when the request's BYTES data would pass the limit
     */
    void spend(long bytes, String what) {
        if (bytes > limit - spent) {
            throw new PayloadTooLarge("the request's BYTES data passes " + DecodeLimits.describe("maxBytesPerRequest",
                    limit) + " bytes at " + what + " (each element counts its UTF-8 length plus 4)");
        }
        spent += bytes;
    }
}
