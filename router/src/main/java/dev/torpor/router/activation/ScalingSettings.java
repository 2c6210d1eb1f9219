package dev.torpor.router.activation;

import io.micronaut.context.annotation.ConfigurationInject;
import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;
import java.util.Objects;

/**
 * How the autoscaler reads demand, in the manner of Knative's KPA. Bound from {@code torpor.scale.*} in
 * {@code application.yml}, whose defaults are Knative's (70 %, 60 s stable, 6 s panic, panic at 200 %, a decision
 * every second). Immutable.
 *
 * @param targetUtilisation the share of {@code concurrencyPerInstance} an instance should carry (0 < x ≤ 1)
 * @param stableWindow      demand is averaged over this window for ordinary decisions, and panic lasts at least
 *                          this long after the last burst
 * @param panicWindow       the short window that detects a burst
 * @param panicThreshold    panic when the panic window's demand needs this many times the READY instances
 * @param tick              how often demand is sampled and a decision made
 */
@ConfigurationProperties("torpor.scale")
public record ScalingSettings(double targetUtilisation, Duration stableWindow, Duration panicWindow,
                              double panicThreshold, Duration tick) {

    public ScalingSettings {
        Objects.requireNonNull(stableWindow, "stableWindow");
        Objects.requireNonNull(panicWindow, "panicWindow");
        Objects.requireNonNull(tick, "tick");
        if (!(targetUtilisation > 0 && targetUtilisation <= 1)) {
            throw new IllegalArgumentException("TORPOR_SCALE_TARGET_UTILISATION must be in (0, 1]; got " + targetUtilisation);
        }
        if (tick.isNegative() || tick.isZero() || panicWindow.compareTo(tick) < 0 || stableWindow.compareTo(panicWindow) < 0) {
            throw new IllegalArgumentException("scaling windows must satisfy 0 < tick ≤ panic window ≤ stable window"
                    + " (TORPOR_SCALE_TICK_MS, TORPOR_SCALE_PANIC_WINDOW_SECONDS, TORPOR_SCALE_STABLE_WINDOW_SECONDS);"
                    + " got tick " + tick.toMillis() + " ms, panic " + panicWindow.toMillis() + " ms, stable "
                    + stableWindow.toMillis() + " ms");
        }
        if (!(panicThreshold >= 1)) {
            throw new IllegalArgumentException("TORPOR_SCALE_PANIC_THRESHOLD must be at least 1; got " + panicThreshold);
        }
    }

    /** Binds the settings from their configuration values (TORPOR_SCALE_*). */
    @ConfigurationInject
    ScalingSettings(double targetUtilisation, long stableWindowSeconds, long panicWindowSeconds, double panicThreshold,
                    long tickMs) {
        this(targetUtilisation, Duration.ofSeconds(stableWindowSeconds), Duration.ofSeconds(panicWindowSeconds),
                panicThreshold, Duration.ofMillis(tickMs));
    }
}
