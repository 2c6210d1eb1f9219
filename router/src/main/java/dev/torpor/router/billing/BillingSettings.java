package dev.torpor.router.billing;

import static dev.torpor.router.config.SettingChecks.between;
import static dev.torpor.router.config.SettingChecks.decimal;

import dev.torpor.router.config.SettingChecks;
import io.micronaut.context.annotation.ConfigurationInject;
import io.micronaut.context.annotation.ConfigurationProperties;
import java.time.Duration;
import java.util.Objects;

/**
 * Billing's settings ({@code torpor.billing.*} in {@code application.yml}; README, "Configuration"), validated on
 * construction. Immutable.
 *
 * @param defaultPrices      the prices stored as version 1 when the price table is empty ({@code TORPOR_PRICE_*},
 *                           {@code TORPOR_BILLING_GRANULARITY_MS}, {@code TORPOR_BILL_COLD_START}); free by default
 * @param instanceTimeInterval the longest span one {@code instance_time} record covers (≤ 60 s)
 * @param retention          how long records are kept; null keeps them for ever ({@code TORPOR_BILLING_RETENTION_DAYS},
 *                           0 or empty = for ever)
 * @param enabled            false only for benchmarks: no ledger writes ({@code TORPOR_BILLING_LEDGER=off})
 */
@ConfigurationProperties("torpor.billing")
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

    /** Binds the settings from their configuration text, naming the variable of any bad value. */
    @ConfigurationInject
    BillingSettings(String currency, String pricePerRequest, String pricePerGbSecond, String pricePerGpuSecond,
                    int granularityMs, boolean billColdStart, long instanceTimeIntervalSeconds, long retentionDays,
                    String ledger) {
        this(defaultPrices(currency, pricePerRequest, pricePerGbSecond, pricePerGpuSecond, granularityMs,
                        billColdStart),
                Duration.ofSeconds(between("TORPOR_INSTANCE_TIME_INTERVAL_SECONDS", instanceTimeIntervalSeconds,
                        1, 60)),
                retentionDays <= 0 ? null : Duration.ofDays(retentionDays),
                SettingChecks.onOff("TORPOR_BILLING_LEDGER", ledger.trim()));
    }

    private static Prices defaultPrices(String currency, String perRequest, String perGbSecond, String perGpuSecond,
                                        int granularityMs, boolean billColdStart) {
        String code = currency.trim();
        if (!code.matches("[A-Z]{3}")) {
            throw new IllegalArgumentException("TORPOR_PRICE_CURRENCY must be three upper-case letters such as USD,"
                    + " got '" + currency + "'");
        }
        between("TORPOR_BILLING_GRANULARITY_MS", granularityMs, 1, Prices.MAX_GRANULARITY_MS);
        return new Prices(1, code, nanos("TORPOR_PRICE_PER_REQUEST", perRequest),
                nanos("TORPOR_PRICE_PER_GB_SECOND", perGbSecond), nanos("TORPOR_PRICE_PER_GPU_SECOND", perGpuSecond),
                granularityMs, billColdStart);
    }

    private static long nanos(String setting, String text) {
        return PriceDocument.nanos(setting, decimal(setting, text));
    }
}
