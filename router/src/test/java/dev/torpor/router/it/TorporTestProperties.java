package dev.torpor.router.it;

import io.micronaut.test.support.TestPropertyProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Boots each test class's router on a random port with its own fresh data directory (model store and
 * SQLite ledger), so test classes never see each other's models or records.
 */
public interface TorporTestProperties extends TestPropertyProvider {

    /**
     * {@code base} plus the function-process launcher without a warm pool, so every instance starts a fresh JVM:
     * the "…ProcessTest" variants of a suite run the same tests that way.
     */
    static Map<String, String> withFunctionProcesses(Map<String, String> base) {
        Map<String, String> properties = new HashMap<>(base);
        properties.put("torpor.launcher", "process");
        properties.put("torpor.process.warm-pool-size", "0");
        return properties;
    }

    /** Extra properties of a test class (e.g. a small upload limit). */
    default Map<String, String> extraProperties() {
        return Map.of();
    }

    @Override
    default Map<String, String> getProperties() {
        try {
            Path dataDir = Files.createTempDirectory("torpor-it-");
            Map<String, String> properties = new HashMap<>();
            properties.put("micronaut.server.port", "-1");
            properties.put("torpor.data-dir", dataDir.toString());
            properties.put("torpor.launcher", "in-process");
            properties.putAll(extraProperties());
            return properties;
        } catch (IOException failed) {
            throw new UncheckedIOException(failed);
        }
    }
}
