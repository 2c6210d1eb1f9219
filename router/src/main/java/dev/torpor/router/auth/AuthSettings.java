package dev.torpor.router.auth;

import java.time.Duration;

/**
 * @param enabled         whether requests need a key (TORPOR_AUTH_ENABLED); off only for local development
 * @param refreshInterval how often the key ring is reloaded from the database (TORPOR_AUTH_REFRESH_SECONDS), so
 *                        key changes made through another router sharing the database take effect
 */
public record AuthSettings(boolean enabled, Duration refreshInterval) {
    public AuthSettings {
        if (refreshInterval.isNegative() || refreshInterval.isZero()) {
            throw new IllegalArgumentException("TORPOR_AUTH_REFRESH_SECONDS must be at least 1");
        }
    }
}
