package dev.torpor.router.auth;

import dev.torpor.router.config.SettingChecks;
import io.micronaut.context.annotation.ConfigurationInject;
import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;

/**
 * API keys' settings ({@code torpor.auth.*} in {@code application.yml}), validated on construction. Immutable.
 *
 * @param enabled         whether requests need a key (TORPOR_AUTH_ENABLED); off only for local development
 * @param refreshInterval how often the key ring is reloaded from the database (TORPOR_AUTH_REFRESH_SECONDS), so
 *                        key changes made through another router sharing the database take effect
 */
@ConfigurationProperties("torpor.auth")
public record AuthSettings(boolean enabled, Duration refreshInterval) {
    public AuthSettings {
        if (refreshInterval.isNegative() || refreshInterval.isZero()) {
            throw new IllegalArgumentException("TORPOR_AUTH_REFRESH_SECONDS must be at least 1");
        }
    }

    /** Binds the settings from their configuration values. */
    @ConfigurationInject
    AuthSettings(boolean enabled, long refreshSeconds) {
        this(enabled, SettingChecks.positiveSeconds("TORPOR_AUTH_REFRESH_SECONDS", refreshSeconds));
    }
}
