package dev.torpor.router.billing;

import dev.torpor.error.BadRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The opaque paging cursor: URL-safe base64 without padding of {@code "v1:<seq>"}. The version prefix lets a later
 * format (say, for multi-writer PostgreSQL) coexist. A cursor is only a position: the filter is applied again on
 * every page, so a forged but well-formed cursor can reveal nothing the filter would not.
 */
final class Cursor {
    private static final String PREFIX = "v1:";

    private Cursor() {
    }

    static String encode(long seq) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((PREFIX + seq).getBytes(StandardCharsets.US_ASCII));
    }

    /** The seq a cursor points after; 0 (before every record) for null. @throws BadRequest for anything we did not issue */
    static long decode(String cursor) {
        if (cursor == null) {
            return 0;
        }
        long seq;
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
            if (!text.startsWith(PREFIX)) {
                throw invalid();
            }
            seq = Long.parseLong(text.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) { // bad base64 or a bad number (NumberFormatException)
            throw invalid();
        }
        // Only the canonical spelling we issue is accepted: no padding, "+5", leading zeros or negative seqs.
        if (seq < 0 || !encode(seq).equals(cursor)) {
            throw invalid();
        }
        return seq;
    }

    private static BadRequest invalid() {
        return new BadRequest("invalid cursor");
    }
}
