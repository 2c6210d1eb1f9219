package dev.torpor.router.auth;

import dev.torpor.router.config.SettingChecks;
import io.micronaut.context.annotation.ConfigurationInject;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.nio.file.Path;
import java.time.Duration;

/**
 * API keys' settings ({@code torpor.auth.*} in {@code application.yml}), validated on construction. Immutable.
 *
 * @param enabled          whether requests need a key (TORPOR_AUTH_ENABLED); off only for local development
 * @param refreshInterval  how often the key ring is reloaded from the database (TORPOR_AUTH_REFRESH_SECONDS), so
 *                         key changes made through another router sharing the database take effect
 * @param bootstrapKeyFile a file holding the first operator key (TORPOR_BOOTSTRAP_KEY_FILE), installed instead of
 *                         a random one while the database has no key (a mounted Kubernetes Secret); null: none
 */
@ConfigurationProperties("torpor.auth")
public record AuthSettings(boolean enabled, Duration refreshInterval, @Nullable Path bootstrapKeyFile) {
    public AuthSettings {
        if (refreshInterval.isNegative() || refreshInterval.isZero()) {
            throw new IllegalArgumentException("TORPOR_AUTH_REFRESH_SECONDS must be at least 1");
        }
    }

    /** Binds the settings from their configuration values; an empty file name means none. */
    @ConfigurationInject
    AuthSettings(boolean enabled, long refreshSeconds, @Nullable String bootstrapKeyFile) {
        this(enabled, SettingChecks.positiveSeconds("TORPOR_AUTH_REFRESH_SECONDS", refreshSeconds),
                bootstrapKeyFile == null || bootstrapKeyFile.isBlank() ? null : Path.of(bootstrapKeyFile.trim()));
    }
}
