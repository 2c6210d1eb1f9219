package dev.torpor.router;

import static dev.torpor.router.config.SettingChecks.atLeast;

import dev.torpor.pool.process.ProcessSettings;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The process launcher's settings ({@code torpor.process.*}, used only when TORPOR_LAUNCHER is {@code process}),
 * bound from {@code application.yml} and validated here with messages naming each variable. Immutable.
 *
 * @param warmPoolSize         model-less function processes kept started (TORPOR_WARM_POOL_SIZE); 0 disables
 * @param overheadMb           memory a process may use beyond its model's {@code memoryMb}
 *                             (TORPOR_PROCESS_OVERHEAD_MB)
 * @param poolHeapMb           {@code -Xmx} of a pooled process (TORPOR_PROCESS_POOL_HEAP_MB), at least 16
 * @param healthTimeoutSeconds a process silent this long is killed (TORPOR_PROCESS_HEALTH_TIMEOUT_SECONDS)
 * @param java                 the java binary of function processes (TORPOR_PROCESS_JAVA); the router's own when
 *                             not set
 * @param jvmOptions           extra JVM options, space-separated (TORPOR_PROCESS_JVM_OPTIONS)
 * @param uidBase              first uid of function processes when the router runs as root (TORPOR_PROCESS_UID_BASE)
 * @param uidCount             how many uids; 0 keeps them on the router's user (TORPOR_PROCESS_UID_COUNT)
 * @param cgroups              a memory cgroup per process where possible (TORPOR_PROCESS_CGROUPS)
 */
@ConfigurationProperties("torpor.process")
public record FunctionProcessSettings(
        int warmPoolSize,
        long overheadMb,
        long poolHeapMb,
        long healthTimeoutSeconds,
        @Nullable String java,
        @Nullable String jvmOptions,
        int uidBase,
        int uidCount,
        boolean cgroups) {

    public FunctionProcessSettings {
        atLeast("TORPOR_WARM_POOL_SIZE", warmPoolSize, 0);
        atLeast("TORPOR_PROCESS_OVERHEAD_MB", overheadMb, 0);
        atLeast("TORPOR_PROCESS_POOL_HEAP_MB", poolHeapMb, 16);
        atLeast("TORPOR_PROCESS_HEALTH_TIMEOUT_SECONDS", healthTimeoutSeconds, 1);
        atLeast("TORPOR_PROCESS_UID_BASE", uidBase, 1);
        atLeast("TORPOR_PROCESS_UID_COUNT", uidCount, 0);
        java = java == null || java.isBlank() ? null : java.trim();
        jvmOptions = jvmOptions == null ? "" : jvmOptions.trim();
    }

    /**
     * The launcher's settings for a router with this data dir: these values over the launcher's own defaults
     * (this JVM's java and class path, the health interval and start timeout).
     */
    public ProcessSettings toProcessSettings(Path dataDir) {
        ProcessSettings defaults = ProcessSettings.defaults(dataDir);
        List<String> options = jvmOptions.isEmpty() ? List.of() : List.of(jvmOptions.split("\\s+"));
        return new ProcessSettings(java == null ? defaults.javaCommand() : java, defaults.classPath(), dataDir,
                warmPoolSize, poolHeapMb, overheadMb, defaults.healthInterval(),
                Duration.ofSeconds(healthTimeoutSeconds), defaults.startTimeout(), options, uidBase, uidCount, cgroups);
    }
}
