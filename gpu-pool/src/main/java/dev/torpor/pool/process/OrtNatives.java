package dev.torpor.pool.process;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * ONNX Runtime's native libraries, extracted once from its jar into the data dir. ORT's Java loader
 * otherwise copies them out of the jar into a temp dir in every JVM that starts (measured ~190 ms of a
 * ~460 ms cold start); a function process started with {@code -Donnxruntime.native.path=<dir>} loads them
 * from there. The directory's name carries a digest of the libraries, so a new ORT version gets a new one.
 * We read ORT's resources from the class path; we never patch or copy ORT's classes.
 */
final class OrtNatives {
    private static final System.Logger LOG = System.getLogger(OrtNatives.class.getName());
    private static final List<String> LIBRARIES = List.of("libonnxruntime.so", "libonnxruntime4j_jni.so");

    private OrtNatives() {
    }

    /** The directory holding the extracted libraries, or empty when this platform's are not on the class path. */
    static Optional<Path> extract(Path nativeRoot) {
        String platform = platform();
        String prefix = "ai/onnxruntime/native/" + platform + "/";
        ClassLoader loader = OrtNatives.class.getClassLoader();
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String library : LIBRARIES) {
                try (InputStream in = loader.getResourceAsStream(prefix + library)) {
                    if (in == null) {
                        LOG.log(System.Logger.Level.WARNING, "no ONNX Runtime natives for {0} on the class path;"
                                + " function processes extract them on every start", platform);
                        return Optional.empty();
                    }
                    try (DigestInputStream digesting = new DigestInputStream(in, digest)) {
                        digesting.transferTo(java.io.OutputStream.nullOutputStream());
                    }
                }
            }
            Path dir = nativeRoot.resolve("onnxruntime-" + platform + "-"
                    + HexFormat.of().formatHex(digest.digest(), 0, 8));
            if (LIBRARIES.stream().allMatch(library -> Files.isRegularFile(dir.resolve(library)))) {
                return Optional.of(dir);
            }
            Files.createDirectories(dir);
            for (String library : LIBRARIES) {
                Path temporary = dir.resolve(library + "." + ProcessHandle.current().pid() + ".tmp");
                try (InputStream in = loader.getResourceAsStream(prefix + library)) {
                    Files.copy(in, temporary, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.move(temporary, dir.resolve(library), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            }
            LOG.log(System.Logger.Level.INFO, "extracted ONNX Runtime natives into {0}", dir);
            return Optional.of(dir);
        } catch (IOException failed) {
            throw new UncheckedIOException("cannot extract ONNX Runtime's native libraries into " + nativeRoot, failed);
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** ORT's name for this platform's native folder ({@code linux-x64}, {@code linux-aarch64}, …). */
    static String platform() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String osName = os.contains("mac") ? "osx" : os.contains("win") ? "win" : "linux";
        String archName = arch.equals("amd64") || arch.equals("x86_64") ? "x64"
                : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : arch;
        return osName + "-" + archName;
    }
}
