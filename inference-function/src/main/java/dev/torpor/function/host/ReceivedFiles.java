package dev.torpor.function.host;

import dev.torpor.error.ModelLoadFailed;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The model files a host received over its connection (a host that does not share the router's file system,
 * such as a pod), kept in its own directory: {@code blobs/<sha256>} holds each file once, written only after
 * its bytes matched the digest the router offered, so a later offer of the same file is answered from the
 * cache without a transfer; {@code models/<model key>/<name>} links (or copies) the blobs into the layout of
 * the model version, which is what a LOAD names (an engine may read files next to the artifact).
 *
 * <p>Not thread-safe: the host's frame reader is its only caller.
 */
final class ReceivedFiles {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern KEY = Pattern.compile("[0-9A-Za-z._-]{1,128}");

    /** A file being received: where its bytes go, how many came, and their digest so far. */
    private record Receiving(Wire.FileOffer offer, Path part, FileChannel out, MessageDigest digest, long[] received) {
    }

    private final Path blobs;
    private final Path models;
    private final Map<Long, Receiving> receiving = new HashMap<>();

    /** @param root the host's own directory for received files (created when needed) */
    ReceivedFiles(Path root) {
        this.blobs = root.resolve("blobs");
        this.models = root.resolve("models");
    }

    /** The answer to a FILE_OFFER: FILE_STORED (from the cache), FILE_WANTED, or an ERROR saying why not. */
    ByteBuffer answerOffer(long id, Wire.FileOffer offer) {
        try {
            Path stored = offer(id, offer);
            if (stored != null) {
                System.err.println("function host: model file " + offer.name() + " (" + offer.size()
                        + " bytes) is cached, no transfer");
            }
            return stored != null ? Wire.fileStored(id, stored.toString()) : Wire.fileWanted(id);
        } catch (IOException | RuntimeException failed) {
            return Wire.error(id, asLoadFailure("cannot store model file " + offer.name(), failed));
        }
    }

    /** The answer to a FILE_CHUNK: FILE_STORED once the file is complete and checked, an ERROR, or null. */
    ByteBuffer answerChunk(long id, Wire.FileChunk chunk) {
        try {
            Path stored = chunk(id, chunk);
            if (stored == null) {
                return null;
            }
            System.err.println("function host: received model file " + stored.getFileName() + " ("
                    + Files.size(stored) + " bytes, sha256 checked)");
            return Wire.fileStored(id, stored.toString());
        } catch (IOException | RuntimeException failed) {
            Receiving file = receiving.remove(id);
            if (file != null) {
                discard(file);
            }
            return Wire.error(id, asLoadFailure("cannot store a model file", failed));
        }
    }

    private static RuntimeException asLoadFailure(String what, Exception failed) {
        return failed instanceof ModelLoadFailed known ? known : new ModelLoadFailed(what + ": " + failed, null);
    }

    /**
     * An offered file: where it is when the cache already holds it (then nothing is transferred), or null
     * when its bytes must be sent, as chunks of file {@code id}.
     *
     * @throws ModelLoadFailed for an offer that names no valid digest, key or relative path
     */
    Path offer(long id, Wire.FileOffer offer) throws IOException {
        Path target = placeOf(offer);
        Path blob = blobs.resolve(offer.sha256());
        if (Files.isRegularFile(blob) && Files.size(blob) == offer.size()) {
            return place(blob, target);
        }
        Files.createDirectories(blobs);
        Path part = blobs.resolve(offer.sha256() + ".part-" + id);
        FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        Receiving previous = receiving.put(id, new Receiving(offer, part, out, sha256(), new long[1]));
        if (previous != null) {
            discard(previous);
        }
        return offer.size() == 0 ? finish(id) : null;
    }

    /**
     * The next chunk of file {@code id}: where the file is once its last byte came (sha256-checked), else null.
     *
     * @throws ModelLoadFailed when the chunk is not the next one, the file grows past its size, or its bytes do
     *                         not match the offered digest (the partial file is deleted)
     */
    Path chunk(long id, Wire.FileChunk chunk) throws IOException {
        Receiving file = receiving.get(id);
        if (file == null) {
            throw new ModelLoadFailed("model file chunk for file " + id + ", which was not offered or has failed", null);
        }
        long at = file.received()[0];
        int length = chunk.bytes().remaining();
        if (chunk.offset() != at || at + length > file.offer().size()) {
            throw fail(id, file, "a chunk of " + length + " bytes at offset " + chunk.offset() + " does not continue its "
                    + file.offer().size() + "-byte file at " + at);
        }
        file.digest().update(chunk.bytes().duplicate());
        ByteBuffer bytes = chunk.bytes().duplicate();
        while (bytes.hasRemaining()) {
            file.out().write(bytes);
        }
        file.received()[0] = at + length;
        return file.received()[0] == file.offer().size() ? finish(id) : null;
    }

    /**
     * Receives a few megabytes of made-up model files the way a router sends them (offer, chunks, digest check,
     * stored), in a scratch directory that is deleted after: a listening host's warm-up, so that its first real
     * transfer runs JIT-compiled code (SHA-256's intrinsic, the chunk path) rather than the interpreter.
     */
    static void warmUp(Path scratch) throws IOException {
        byte[] bytes = new byte[2 << 20];
        new java.util.Random(13).nextBytes(bytes);
        ReceivedFiles files = new ReceivedFiles(scratch);
        for (int round = 0; round < 3; round++) {
            bytes[0] = (byte) round; // a different file each round: no cache hit
            String digest = HexFormat.of().formatHex(sha256().digest(bytes));
            long id = round + 1;
            files.offer(id, new Wire.FileOffer("warm-up", "model-" + round + ".onnx", digest, bytes.length));
            Path stored = null;
            for (int at = 0; at < bytes.length; at += Wire.MAX_CHUNK_BYTES) {
                int length = Math.min(Wire.MAX_CHUNK_BYTES, bytes.length - at);
                stored = files.chunk(id, new Wire.FileChunk(at, ByteBuffer.wrap(bytes, at, length)));
            }
            if (stored == null) {
                throw new IOException("the warm-up's model file was not stored");
            }
        }
    }

    /** Forgets every file still being received (the connection ended). */
    void abandon() {
        receiving.values().forEach(ReceivedFiles::discard);
        receiving.clear();
    }

    private Path finish(long id) throws IOException {
        Receiving file = receiving.get(id);
        String digest = HexFormat.of().formatHex(file.digest().digest());
        if (!digest.equals(file.offer().sha256())) {
            throw fail(id, file, "its bytes have sha256 " + digest + ", not the offered " + file.offer().sha256());
        }
        receiving.remove(id);
        // No fsync: the directory is the host's own scratch (a pod's emptyDir), which does not outlive what could
        // tear a write (the node); within its life, the rename below only ever exposes a complete, checked file.
        // Measured: syncing cost a pod's cold start ~30 ms on a 6 MB model.
        file.out().close();
        Path blob = blobs.resolve(file.offer().sha256());
        Files.move(file.part(), blob, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return place(blob, placeOf(file.offer()));
    }

    /** Forgets file {@code id} and its partial bytes; the failure to throw. */
    private ModelLoadFailed fail(long id, Receiving file, String why) {
        receiving.remove(id);
        discard(file);
        return new ModelLoadFailed("model file " + file.offer().name() + " was refused: " + why, null);
    }

    private static void discard(Receiving file) {
        try {
            file.out().close();
            Files.deleteIfExists(file.part());
        } catch (IOException ignored) {
            // a leftover part file is overwritten by the next offer of the same file
        }
    }

    /** Where an offered file goes in its model's layout; refuses names that would leave it. */
    private Path placeOf(Wire.FileOffer offer) {
        if (!SHA256.matcher(offer.sha256()).matches() || !KEY.matcher(offer.modelKey()).matches()) {
            throw new ModelLoadFailed("model file offer with an invalid digest or model key: " + offer, null);
        }
        Path dir = models.resolve(offer.modelKey());
        Path target = offer.name().isEmpty() || offer.name().startsWith("/") ? dir
                : dir.resolve(offer.name()).normalize();
        if (!target.startsWith(dir) || target.equals(dir)) {
            throw new ModelLoadFailed("model file offer with a name outside its model: " + offer.name(), null);
        }
        return target;
    }

    /** A hard link to the blob at {@code target} (a copy where links are refused); the blob stays the cache's. */
    private static Path place(Path blob, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        try {
            Files.createLink(target, blob);
        } catch (FileAlreadyExistsException present) {
            if (Files.size(target) != Files.size(blob)) {
                Files.copy(blob, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (UnsupportedOperationException | IOException noLinks) {
            Files.copy(blob, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target.toAbsolutePath();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every JVM has SHA-256", impossible);
        }
    }
}
