package dev.torpor.router.activation;

import java.time.Duration;
import java.util.Objects;

/**
 * How the autoscaler reads demand, in the manner of Knative's KPA.
 *
 * @param targetUtilisation the share of {@code concurrencyPerInstance} an instance should carry (0 < x ≤ 1)
 * @param stableWindow      demand is averaged over this window for ordinary decisions, and panic lasts at least
 *                          this long after the last burst
 * @param panicWindow       the short window that detects a burst
 * @param panicThreshold    panic when the panic window's demand needs this many times the READY instances
 * @param tick              how often demand is sampled and a decision made
 */
public record ScalingSettings(double targetUtilisation, Duration stableWindow, Duration panicWindow,
                              double panicThreshold, Duration tick) {

    /** Knative's defaults: 70 %, 60 s stable, 6 s panic (10 %), panic at 200 %; a decision every second. */
    public static final ScalingSettings DEFAULTS = new ScalingSettings(0.7, Duration.ofSeconds(60),
            Duration.ofSeconds(6), 2.0, Duration.ofSeconds(1));

    public ScalingSettings {
        Objects.requireNonNull(stableWindow, "stableWindow");
        Objects.requireNonNull(panicWindow, "panicWindow");
        Objects.requireNonNull(tick, "tick");
        if (!(targetUtilisation > 0 && targetUtilisation <= 1)) {
            throw new IllegalArgumentException("TORPOR_SCALE_TARGET_UTILISATION must be in (0, 1]; got " + targetUtilisation);
        }
        if (tick.isNegative() || tick.isZero() || panicWindow.compareTo(tick) < 0 || stableWindow.compareTo(panicWindow) < 0) {
            throw new IllegalArgumentException("scaling windows must satisfy 0 < tick ≤ panic window ≤ stable window;"
                    + " got tick " + tick.toMillis() + " ms, panic " + panicWindow.toMillis() + " ms, stable "
                    + stableWindow.toMillis() + " ms");
        }
        if (!(panicThreshold >= 1)) {
            throw new IllegalArgumentException("TORPOR_SCALE_PANIC_THRESHOLD must be at least 1; got " + panicThreshold);
        }
    }
}
