package dev.torpor.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torpor.pool.GpuDiscovery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Binding {@code torpor.*} from its configuration text, as Micronaut does through the binding constructor. */
class TorporSettingsTest {
    @TempDir
    Path temp;

    private TorporSettings bind(String launcher, String cpuMemoryMb, String gpus) {
        return new TorporSettings(temp.resolve("data").toString(), "", launcher, 2048, 64, 256, 300, 30, cpuMemoryMb,
                gpus);
    }

    @Test
    void goodValuesBindToTypedSettingsAndCreateTheDataDir() {
        TorporSettings settings = bind("in-process", " 4096 ", "fake:2x16384");
        assertThat(settings.dataDir()).isEqualTo(temp.resolve("data").toAbsolutePath());
        assertThat(settings.modelsDir()).isDirectory();
        assertThat(settings.dbUrl()).isEqualTo("jdbc:sqlite:" + temp.resolve("data").resolve("torpor.db").toAbsolutePath());
        assertThat(settings.launcher()).isEqualTo(LauncherKind.IN_PROCESS);
        assertThat(settings.cpuMemoryMb()).isEqualTo(4096);
        assertThat(settings.gpus()).isEqualTo(new GpuDiscovery.Fake(2, 16384));
        assertThat(settings.defaultIdleTimeout()).isEqualTo(Duration.ofSeconds(300));
        assertThat(settings.shutdownGrace()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.maxUploadBytes()).isEqualTo(2048L * 1024 * 1024);
        assertThat(settings.maxRequestBytes()).isEqualTo(64L * 1024 * 1024);
    }

    @Test
    void anEmptyCpuMemoryIsThreeQuartersOfTheMachineAndAnExplicitDatabaseIsKept() {
        TorporSettings settings = bind("process", "", "none");
        assertThat(settings.launcher()).isEqualTo(LauncherKind.PROCESS);
        assertThat(settings.gpus()).isEqualTo(new GpuDiscovery.None());
        assertThat(settings.cpuMemoryMb()).isEqualTo(MachineMemory.threeQuartersMb()).isPositive();
        assertThat(new TorporSettings(temp.toString(), "jdbc:postgresql://db/torpor", "process", 1, 1, 256, 1, 0, null, "auto")
                .dbUrl()).isEqualTo("jdbc:postgresql://db/torpor");
    }

    @Test
    void theLauncherKindsHaveTheirConfigurationNames() {
        assertThat(LauncherKind.parse("process")).isEqualTo(LauncherKind.PROCESS);
        assertThat(LauncherKind.parse("in-process")).isEqualTo(LauncherKind.IN_PROCESS);
        assertThat(LauncherKind.IN_PROCESS).hasToString("in-process");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Process", "IN_PROCESS", "in_process", "inprocess", "pod"})
    void anUnknownLauncherKindIsRefusedNamingTheVariable(String launcher) {
        assertThatThrownBy(() -> bind(launcher, "", "none")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TORPOR_LAUNCHER must be 'process' (each instance in its own function process),"
                        + " 'in-process' (instances in the router's JVM) or 'kubernetes' (each instance in a pod);"
                        + " got '" + launcher + "'");
    }

    @Test
    void badValuesAreRefusedNamingTheirVariable() {
        assertThatThrownBy(() -> bind("process", "", "fake:2")).hasMessageStartingWith("TORPOR_GPUS must be auto, none,"
                + " declared:COUNTxMB");
        assertThatThrownBy(() -> bind("process", "lots", "none"))
                .hasMessage("TORPOR_CPU_MEMORY_MB must be a whole number, got 'lots'");
        assertThatThrownBy(() -> bind("process", "0", "none")).hasMessageStartingWith("TORPOR_CPU_MEMORY_MB must be at least 1");
        String data = temp.toString();
        assertThatThrownBy(() -> new TorporSettings(data, null, "process", 0, 64, 256, 300, 30, null, "none"))
                .hasMessageStartingWith("TORPOR_MAX_UPLOAD_MB must be at least 1");
        assertThatThrownBy(() -> new TorporSettings(data, null, "process", 1, 2048, 256, 300, 30, null, "none"))
                .hasMessageStartingWith("TORPOR_MAX_REQUEST_MB must be below 2048");
        assertThatThrownBy(() -> new TorporSettings(data, null, "process", 1, 0, 256, 300, 30, null, "none"))
                .hasMessageStartingWith("TORPOR_MAX_REQUEST_MB must be at least 1");
        assertThatThrownBy(() -> new TorporSettings(data, null, "process", 1, 1, 256, 0, 30, null, "none"))
                .hasMessageStartingWith("TORPOR_DEFAULT_IDLE_TIMEOUT_SECONDS must be at least 1");
        assertThatThrownBy(() -> new TorporSettings(data, null, "process", 1, 1, 256, 1, -1, null, "none"))
                .hasMessageStartingWith("TORPOR_SHUTDOWN_GRACE_SECONDS must not be negative");
        assertThatThrownBy(() -> new TorporSettings(data, null, "process", 1, 1, 0, 1, 1, null, "none"))
                .hasMessage("TORPOR_MAX_BLOCKING_THREADS must be at least 1, got 0");
    }

    @Test
    void aDataDirThatCannotBeCreatedIsRefusedNamingTheVariable() throws Exception {
        Path file = Files.writeString(temp.resolve("a-file"), "not a directory");
        assertThatThrownBy(() -> new TorporSettings(file.toString(), null, "process", 1, 1, 256, 1, 1, null, "none"))
                .hasMessageContaining("cannot create the data dir").hasMessageContaining("(TORPOR_DATA_DIR)");
    }
}
