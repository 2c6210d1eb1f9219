package dev.torpor.router.billing;

import java.time.Duration;
import java.util.Objects;

/**
 * Billing's settings (README, "Configuration"), validated on construction.
 *
 * @param defaultPrices      the prices stored as version 1 when the price table is empty ({@code TORPOR_PRICE_*},
 *                           {@code TORPOR_BILLING_GRANULARITY_MS}, {@code TORPOR_BILL_COLD_START}); free by default
 * @param instanceTimeInterval the longest span one {@code instance_time} record covers (≤ 60 s)
 * @param retention          how long records are kept; null keeps them for ever ({@code TORPOR_BILLING_RETENTION_DAYS},
 *                           0 or empty = for ever)
 * @param enabled            false only for benchmarks: no ledger writes ({@code TORPOR_BILLING_LEDGER=off})
 */
public record BillingSettings(Prices defaultPrices, Duration instanceTimeInterval, Duration retention,
                              boolean enabled) {
    public BillingSettings {
        Objects.requireNonNull(defaultPrices, "defaultPrices");
        Objects.requireNonNull(instanceTimeInterval, "instanceTimeInterval");
        if (instanceTimeInterval.isNegative() || instanceTimeInterval.isZero()
                || instanceTimeInterval.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("the instance_time interval must be from 1 ms to 60 s");
        }
        if (retention != null && (retention.isNegative() || retention.isZero())) {
            throw new IllegalArgumentException("retention must be positive (or absent: keep for ever)");
        }
    }
}
