package dev.torpor.pool.process;

import dev.torpor.error.ModelLoadFailed;
import dev.torpor.function.host.Wire;
import dev.torpor.pool.LaunchSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Sends a model version's files to a host that does not share the router's file system (a pod), over its
 * {@link HostConnection}, before its LOAD: each file is offered with its sha256 and size; the host answers
 * from its cache (no transfer) or asks for the bytes, which go in chunks of at most
 * {@link Wire#MAX_CHUNK_BYTES}, and it stores the file once its digest matches. A process host does not need
 * this: it loads from the store's path. Every file of the version goes (an engine may read files next to the
 * artifact: DJL's model.json, ONNX external data).
 *
 * <p>Blocking; call it off the connection's reader (a lease's {@code loadFor} runs on a launcher thread).
 */
public final class ModelUpload {
    /**
     * What an upload did: the artifact's path on the host (what the LOAD names), and how many files and bytes
     * were sent (0 when the host had them all in its cache).
     */
    public record Result(Path artifact, int filesSent, long bytesSent, Path cacheDir) {
    }

    /** Where the host's copy of an optimized graph goes, under the model version's files. */
    static final String CACHE_DIR = "ort-cache";

    private ModelUpload() {
    }

    /**
     * Sends {@code spec}'s model version to the host, then {@code optimized} (an {@link OptimizedModels} entry) into
     * the host's {@value #CACHE_DIR} next to the model's files: the result's {@code cacheDir} is then that directory, as
     * the LOAD names it, else null. Each file's answer is awaited at most {@code timeout}.
     *
     * @throws ModelLoadFailed when the host refused a file (a digest mismatch: its message says which file)
     * @throws IOException     when a file cannot be read, the host is gone, or it did not answer in time
     */
    static Result send(HostConnection host, LaunchSpec spec, Duration timeout, Optional<Path> optimized)
            throws IOException {
        Path relative = Path.of(spec.manifest().file()).normalize();
        Path version = spec.artifact().toAbsolutePath();
        for (int i = 0; i < relative.getNameCount(); i++) {
            version = version.getParent();
        }
        String key = spec.manifest().sha256();
        Path artifact = null;
        int filesSent = 0;
        long bytesSent = 0;
        List<Path> files = new java.util.ArrayList<>(filesOf(version));
        optimized.ifPresent(files::add);
        Path cacheDir = null;
        for (Path file : files) {
            boolean isOptimized = optimized.isPresent() && file.equals(optimized.get());
            String name = isOptimized ? CACHE_DIR + "/" + file.getFileName()
                    : version.relativize(file).toString().replace('\\', '/');
            long size = Files.size(file);
            long id = host.newFileId();
            Optional<String> stored = await(host.offerFile(id, new Wire.FileOffer(key, name, cachedSha256(file), size)),
                    timeout, name);
            if (stored.isEmpty()) {
                CompletableFuture<Optional<String>> done = host.awaitStored(id);
                sendBytes(host, id, file);
                stored = await(done, timeout, name);
                filesSent++;
                bytesSent += size;
                if (stored.isEmpty()) {
                    throw new IOException("the function host asked for model file " + name + " twice");
                }
            }
            if (isOptimized) {
                cacheDir = Path.of(stored.get()).getParent();
            } else if (file.equals(spec.artifact().toAbsolutePath())) {
                artifact = Path.of(stored.get());
            }
        }
        if (artifact == null) {
            throw new IOException("the artifact " + relative + " is not a file of its model version " + version);
        }
        return new Result(artifact, filesSent, bytesSent, cacheDir);
    }

    private static List<Path> filesOf(Path version) throws IOException {
        try (Stream<Path> walk = Files.walk(version)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static void sendBytes(HostConnection host, long id, Path file) throws IOException {
        byte[] chunk = new byte[Wire.MAX_CHUNK_BYTES];
        long offset = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int read;
            while ((read = in.readNBytes(chunk, 0, chunk.length)) > 0) {
                host.write(Wire.fileChunk(id, offset, chunk, 0, read));
                offset += read;
            }
        }
    }

    private static <T> T await(CompletableFuture<T> answer, Duration timeout, String name) throws IOException {
        try {
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException failed) {
            if (failed.getCause() instanceof ModelLoadFailed refused) {
                throw refused;
            }
            throw new IOException("sending model file " + name + " failed: " + failed.getCause().getMessage(),
                    failed.getCause());
        } catch (TimeoutException late) {
            throw new IOException("the function host did not store model file " + name + " within "
                    + timeout.toSeconds() + " s", late);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending model file " + name, interrupted);
        }
    }

    /**
     * Digests of the store's files by path, with the size and modification time they had: a model's next pod start
     * does not read it twice. The store never rewrites a version's files in place, so a stale entry cannot match.
     */
    private static final java.util.Map<Path, Digested> DIGESTS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_DIGESTS = 4096;

    private record Digested(long size, long modified, String sha256) {
    }

    /** {@link #sha256}, remembered for an unchanged file. */
    static String cachedSha256(Path file) throws IOException {
        long size = Files.size(file);
        long modified = Files.getLastModifiedTime(file).toMillis();
        Digested known = DIGESTS.get(file);
        if (known != null && known.size() == size && known.modified() == modified) {
            return known.sha256();
        }
        String digest = sha256(file);
        if (DIGESTS.size() >= MAX_DIGESTS) {
            DIGESTS.clear(); // bounded: a router serving thousands of versions only hashes a little more
        }
        DIGESTS.put(file, new Digested(size, modified, digest));
        return digest;
    }

    /** The file's sha256, lowercase hex. */
    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every JVM has SHA-256", impossible);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int read;
            while ((read = in.read(buffer)) > 0) {
                digest.update(buffer, 0, read);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
