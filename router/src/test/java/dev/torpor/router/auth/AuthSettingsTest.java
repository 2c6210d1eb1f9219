package dev.torpor.router.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AuthSettingsTest {

    @Test
    void theRefreshIsBoundInSecondsAndMustBePositive() {
        assertThat(new AuthSettings(false, 10, "")).isEqualTo(new AuthSettings(false, Duration.ofSeconds(10), null));
        assertThatThrownBy(() -> new AuthSettings(true, 0, ""))
                .hasMessage("TORPOR_AUTH_REFRESH_SECONDS must be at least 1, got 0");
    }

    @Test
    void anEmptyBootstrapKeyFileIsNoneAndAGivenOneIsAPath() {
        assertThat(new AuthSettings(true, 10, null).bootstrapKeyFile()).isNull();
        assertThat(new AuthSettings(true, 10, "  ").bootstrapKeyFile()).isNull();
        assertThat(new AuthSettings(true, 10, " /etc/torpor/operator-key/operator.key ").bootstrapKeyFile())
                .isEqualTo(Path.of("/etc/torpor/operator-key/operator.key"));
    }
}
