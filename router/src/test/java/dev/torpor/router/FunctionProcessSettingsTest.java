package dev.torpor.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torpor.pool.process.ProcessSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class FunctionProcessSettingsTest {
    private static final Path DATA = Path.of("/tmp/torpor-data");

    @Test
    void theValuesOverlayTheLaunchersOwnDefaults() {
        ProcessSettings defaults = ProcessSettings.defaults(DATA);
        ProcessSettings settings = new FunctionProcessSettings(1, 256, 256, 10, "", "", 61000, 1000, true)
                .toProcessSettings(DATA);
        assertThat(settings).isEqualTo(defaults);

        ProcessSettings custom = new FunctionProcessSettings(0, 100, 64, 20, " /opt/java ", " -Xss1m  -Dx=y ", 5000, 0,
                false).toProcessSettings(DATA);
        assertThat(custom.javaCommand()).isEqualTo("/opt/java");
        assertThat(custom.extraJvmOptions()).isEqualTo(List.of("-Xss1m", "-Dx=y"));
        assertThat(custom.warmPoolSize()).isZero();
        assertThat(custom.overheadMb()).isEqualTo(100);
        assertThat(custom.poolHeapMb()).isEqualTo(64);
        assertThat(custom.healthTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(custom.uidBase()).isEqualTo(5000);
        assertThat(custom.uidCount()).isZero();
        assertThat(custom.cgroups()).isFalse();
        assertThat(new FunctionProcessSettings(1, 256, 256, 10, null, null, 61000, 1000, true).toProcessSettings(DATA))
                .isEqualTo(defaults);
    }

    @Test
    void aBadValueIsRefusedNamingItsVariable() {
        assertThatThrownBy(() -> new FunctionProcessSettings(-1, 256, 256, 10, null, null, 61000, 1000, true))
                .hasMessage("TORPOR_WARM_POOL_SIZE must be at least 0, got -1");
        assertThatThrownBy(() -> new FunctionProcessSettings(1, -1, 256, 10, null, null, 61000, 1000, true))
                .hasMessageStartingWith("TORPOR_PROCESS_OVERHEAD_MB must be at least 0");
        assertThatThrownBy(() -> new FunctionProcessSettings(1, 256, 15, 10, null, null, 61000, 1000, true))
                .hasMessageStartingWith("TORPOR_PROCESS_POOL_HEAP_MB must be at least 16");
        assertThatThrownBy(() -> new FunctionProcessSettings(1, 256, 256, 0, null, null, 61000, 1000, true))
                .hasMessageStartingWith("TORPOR_PROCESS_HEALTH_TIMEOUT_SECONDS must be at least 1");
        assertThatThrownBy(() -> new FunctionProcessSettings(1, 256, 256, 10, null, null, 0, 1000, true))
                .hasMessageStartingWith("TORPOR_PROCESS_UID_BASE must be at least 1");
        assertThatThrownBy(() -> new FunctionProcessSettings(1, 256, 256, 10, null, null, 1, -1, true))
                .hasMessageStartingWith("TORPOR_PROCESS_UID_COUNT must be at least 0");
    }
}
