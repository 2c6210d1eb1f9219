package dev.torpor.router.billing;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * Totals of the billing records that share a key (a model, tenant or device) and a currency, in stored units, so
 * that each total is exactly the sum of the records' values. The derived methods give what clients see.
 *
 * @param key          the model, tenant or device; {@code "none"} for records without a device
 * @param requests     records of kind {@code request}
 * @param errors       records of kind {@code request} whose status is not {@code ok}
 * @param coldStarts   records with {@code coldStart}
 * @param computeMicros sum of compute time, µs
 * @param billedMs     sum of billed time, ms
 * @param mbMillis     sum of {@code memoryMb × billedMs}, MB·ms
 * @param gpuMicros    sum of accelerator time, µs
 * @param costNanos    sum of cost, nano-units of {@code currency}
 */
public record SummaryRow(
        String key,
        long requests,
        long errors,
        long coldStarts,
        long computeMicros,
        long billedMs,
        long mbMillis,
        long gpuMicros,
        long costNanos,
        String currency) {

    public SummaryRow {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(currency, "currency");
    }

    public BigDecimal computeMs() {
        return Units.microsToMillis(computeMicros);
    }

    public BigDecimal gbSeconds() {
        return Units.gbSeconds(mbMillis);
    }

    public BigDecimal gpuSeconds() {
        return Units.microsToSeconds(gpuMicros);
    }

    public String cost() {
        return Units.nanosToDecimal(costNanos);
    }
}
