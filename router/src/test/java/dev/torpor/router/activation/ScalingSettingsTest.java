package dev.torpor.router.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScalingSettingsTest {

    @Test
    void windowsAreBoundInSecondsAndTheTickInMilliseconds() {
        assertThat(new ScalingSettings(0.7, 60, 6, 2.0, 1000)).isEqualTo(new ScalingSettings(0.7, Duration.ofSeconds(60),
                Duration.ofSeconds(6), 2.0, Duration.ofMillis(1000)));
    }

    @Test
    void aBadValueIsRefusedNamingItsVariable() {
        assertThatThrownBy(() -> new ScalingSettings(0, 60, 6, 2.0, 1000))
                .hasMessageStartingWith("TORPOR_SCALE_TARGET_UTILISATION must be in (0, 1]");
        assertThatThrownBy(() -> new ScalingSettings(0.7, 60, 6, 0.5, 1000))
                .hasMessageStartingWith("TORPOR_SCALE_PANIC_THRESHOLD must be at least 1");
        assertThatThrownBy(() -> new ScalingSettings(0.7, 5, 6, 2.0, 1000))
                .hasMessageContaining("TORPOR_SCALE_STABLE_WINDOW_SECONDS").hasMessageContaining("stable 5000 ms");
        assertThatThrownBy(() -> new ScalingSettings(0.7, 60, 6, 2.0, 0)).hasMessageContaining("TORPOR_SCALE_TICK_MS");
    }
}
