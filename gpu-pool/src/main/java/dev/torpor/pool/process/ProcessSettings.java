package dev.torpor.pool.process;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the process launcher starts and watches function processes.
 *
 * @param javaCommand      the java binary (the router's own by default)
 * @param classPath        the function processes' class path (the router's own by default)
 * @param dataDir          the router's data dir: native libraries, the optimized-model cache and the
 *                         class-data archive live under it
 * @param warmPoolSize     model-less processes kept started ahead of demand; 0 disables the pool
 * @param poolHeapMb       {@code -Xmx} of a pooled process (its model is not known when it starts)
 * @param overheadMb       what a function process's JVM and engine runtime need beyond the model's
 *                         {@code memoryMb}; the RSS limit is {@code memoryMb + overheadMb}
 * @param healthInterval   how often each process is pinged and its RSS read
 * @param healthTimeout    a process that has not answered a ping for this long is killed
 * @param startTimeout     how long a process may take from spawn to {@code HELLO}
 * @param extraJvmOptions  more JVM options for every function process (e.g. for debugging)
 * @param uidBase          when the router runs as root, function processes run as uids
 *                         {@code [uidBase, uidBase + uidCount)}, one per live process
 * @param uidCount         0 keeps function processes on the router's user even as root
 * @param cgroups          whether to put each process into its own memory cgroup where that is possible
 */
public record ProcessSettings(
        String javaCommand,
        String classPath,
        Path dataDir,
        int warmPoolSize,
        long poolHeapMb,
        long overheadMb,
        Duration healthInterval,
        Duration healthTimeout,
        Duration startTimeout,
        List<String> extraJvmOptions,
        int uidBase,
        int uidCount,
        boolean cgroups) {

    /** Settings with the default uid range and cgroups on. */
    public ProcessSettings(String javaCommand, String classPath, Path dataDir, int warmPoolSize, long poolHeapMb,
                           long overheadMb, Duration healthInterval, Duration healthTimeout, Duration startTimeout,
                           List<String> extraJvmOptions) {
        this(javaCommand, classPath, dataDir, warmPoolSize, poolHeapMb, overheadMb, healthInterval, healthTimeout,
                startTimeout, extraJvmOptions, DEFAULT_UID_BASE, DEFAULT_UID_COUNT, true);
    }

    public static final int DEFAULT_UID_BASE = 61000;
    public static final int DEFAULT_UID_COUNT = 1000;

    public ProcessSettings {
        if (uidBase < 1 || uidCount < 0) {
            throw new IllegalArgumentException("invalid function process uid range " + uidBase + " + " + uidCount);
        }
        Objects.requireNonNull(javaCommand, "javaCommand");
        Objects.requireNonNull(classPath, "classPath");
        Objects.requireNonNull(dataDir, "dataDir");
        extraJvmOptions = List.copyOf(extraJvmOptions);
        if (warmPoolSize < 0) {
            throw new IllegalArgumentException("TORPOR_WARM_POOL_SIZE must not be negative, got " + warmPoolSize);
        }
        if (poolHeapMb < 16 || overheadMb < 0) {
            throw new IllegalArgumentException("invalid function process memory settings: heap " + poolHeapMb
                    + " MiB, overhead " + overheadMb + " MiB");
        }
        if (healthInterval.isNegative() || healthInterval.isZero() || healthTimeout.compareTo(healthInterval) < 0) {
            throw new IllegalArgumentException("the health check timeout must be at least its interval");
        }
    }

    /** Settings for this JVM's java binary and class path, with the documented defaults. */
    public static ProcessSettings defaults(Path dataDir) {
        return new ProcessSettings(currentJava(), System.getProperty("java.class.path"), dataDir, 1, 256, 256,
                Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(30), List.of());
    }

    public ProcessSettings withWarmPoolSize(int size) {
        return new ProcessSettings(javaCommand, classPath, dataDir, size, poolHeapMb, overheadMb, healthInterval,
                healthTimeout, startTimeout, extraJvmOptions, uidBase, uidCount, cgroups);
    }

    public ProcessSettings withOverheadMb(long mb) {
        return new ProcessSettings(javaCommand, classPath, dataDir, warmPoolSize, poolHeapMb, mb, healthInterval,
                healthTimeout, startTimeout, extraJvmOptions, uidBase, uidCount, cgroups);
    }

    public ProcessSettings withHealth(Duration interval, Duration timeout) {
        return new ProcessSettings(javaCommand, classPath, dataDir, warmPoolSize, poolHeapMb, overheadMb, interval,
                timeout, startTimeout, extraJvmOptions, uidBase, uidCount, cgroups);
    }

    public ProcessSettings withIsolation(int base, int count, boolean memoryCgroups) {
        return new ProcessSettings(javaCommand, classPath, dataDir, warmPoolSize, poolHeapMb, overheadMb,
                healthInterval, healthTimeout, startTimeout, extraJvmOptions, base, count, memoryCgroups);
    }

    /** The java binary running this JVM. */
    public static String currentJava() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
