package dev.torpor.function.onnx;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * What ONNX Runtime's fully optimized graph depends on in the machine: the architecture, the CPU model and its
 * feature flags (a layout optimization picks its block size by vector width, AVX2 or AVX-512). Two hosts with the same
 * fingerprint can share an ORT-format model optimized on either; hosts that differ must each optimize their own.
 * Computed once per JVM. Stateless.
 */
public final class CpuFingerprint {
    private static final String VALUE = compute(Path.of("/proc/cpuinfo"));

    private CpuFingerprint() {
    }

    /** This machine's fingerprint: 16 hex digits. */
    public static String current() {
        return VALUE;
    }

    static String compute(Path cpuinfo) {
        StringBuilder what = new StringBuilder(System.getProperty("os.arch"));
        try {
            List<String> lines = Files.readAllLines(cpuinfo, StandardCharsets.UTF_8);
            for (String key : List.of("model name", "flags", "Features", "CPU part")) {
                lines.stream().filter(line -> line.startsWith(key)).findFirst()
                        .ifPresent(line -> what.append('|').append(line.substring(line.indexOf(':') + 1).strip()));
            }
        } catch (IOException | RuntimeException unreadable) {
            what.append("|unknown");
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(what.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
