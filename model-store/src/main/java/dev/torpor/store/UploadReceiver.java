package dev.torpor.store;

import dev.torpor.error.BadRequest;
import dev.torpor.error.PayloadTooLarge;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Streams an upload into a new file while hashing and counting it, so that a publish never holds the upload in
 * memory and stops reading as soon as it passes the limit.
 */
final class UploadReceiver {
    private static final int BUFFER_BYTES = 64 * 1024;

    /** What was received: the hex SHA-256 of the bytes exactly as uploaded, and how many there were. */
    record Received(String sha256, long sizeBytes) {
    }

    private UploadReceiver() {
    }

    /**
     * Copies {@code upload} into {@code target}, which must not exist yet.
     *
     * @throws PayloadTooLarge more than {@code maxBytes} bytes arrived; the rest of the upload is not read
     * @throws BadRequest      reading the upload failed (the client went away), or it was empty
     * @throws UncheckedIOException writing {@code target} failed: the store's fault, not the client's
     */
    static Received receive(InputStream upload, Path target, long maxBytes) {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[BUFFER_BYTES];
        long total = 0;
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW)) {
            while (true) {
                int read = read(upload, buffer);
                if (read < 0) {
                    break;
                }
                total += read;
                if (total > maxBytes) {
                    throw new PayloadTooLarge("upload exceeds the " + Sizes.describe(maxBytes)
                            + " publish limit (TORPOR_MAX_UPLOAD_MB)");
                }
                digest.update(buffer, 0, read);
                out.write(buffer, 0, read);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the upload to " + target, e);
        }
        if (total == 0) {
            throw new BadRequest("upload is empty");
        }
        return new Received(HexFormat.of().formatHex(digest.digest()), total);
    }

    // Kept apart from the writes so that only a failure of the client's stream becomes a BadRequest (the
    // client's fault); a failed write to the store stays an I/O failure (ours).
    private static int read(InputStream upload, byte[] buffer) {
        try {
            return upload.read(buffer);
        } catch (IOException e) {
            throw new BadRequest("upload interrupted: " + e.getMessage(), e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
