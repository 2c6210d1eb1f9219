package dev.torpor.router.billing;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * One line of the ledger: a request, or a span of reserved capacity ({@link RecordKind#INSTANCE_TIME}).
 * Components follow API.md's record, in its order, in stored units: durations in integer microseconds
 * ({@code …Micros}) or milliseconds ({@code billedMs}), memory in MB, payload sizes in bytes, money in nano-units of
 * {@code currency} (10⁻⁹). The values clients see in milliseconds, GB·s and decimal strings are derived exactly by
 * the methods below; {@link BillingJson} and {@link BillingCsv} print them.
 *
 * <p>{@code startedAt} is truncated to microseconds on construction: that is what the database keeps, so a record
 * read back equals the record written. Immutable; validated on construction (non-negative amounts).
 *
 * @param instanceId the function instance that served it; null when none did (rejected before placement)
 * @param device     {@code cpu} or {@code gpu:N}; null when no device was used
 * @param httpStatus the status answered; 0 for {@code instance_time} records, which answer nothing
 * @param priceVersion the version of the price table the cost was computed with
 */
public record BillingRecord(
        String id,
        RecordKind kind,
        Instant startedAt,
        String tenant,
        String owner,
        String model,
        String version,
        String instanceId,
        String device,
        boolean coldStart,
        long queueMicros,
        long initMicros,
        long computeMicros,
        long billedMs,
        int memoryMb,
        long gpuMicros,
        BillingStatus status,
        int httpStatus,
        long requestBytes,
        long responseBytes,
        long costNanos,
        String currency,
        int priceVersion) {

    public BillingRecord {
        requireText(id, "id");
        Objects.requireNonNull(kind, "kind");
        startedAt = Objects.requireNonNull(startedAt, "startedAt").truncatedTo(ChronoUnit.MICROS);
        requireText(tenant, "tenant");
        requireText(owner, "owner");
        requireText(model, "model");
        requireText(version, "version");
        requireNonNegative(queueMicros, "queueMicros");
        requireNonNegative(initMicros, "initMicros");
        requireNonNegative(computeMicros, "computeMicros");
        requireNonNegative(billedMs, "billedMs");
        requireNonNegative(memoryMb, "memoryMb");
        requireNonNegative(gpuMicros, "gpuMicros");
        Objects.requireNonNull(status, "status");
        requireNonNegative(httpStatus, "httpStatus");
        requireNonNegative(requestBytes, "requestBytes");
        requireNonNegative(responseBytes, "responseBytes");
        requireNonNegative(costNanos, "costNanos");
        requireText(currency, "currency");
        requireNonNegative(priceVersion, "priceVersion");
    }

    /** Time queued before an instance took the request, in ms with up to 3 decimals. */
    public BigDecimal queueMs() {
        return Units.microsToMillis(queueMicros);
    }

    /** Time spent starting an instance and loading the model for this request (cold start), in ms. */
    public BigDecimal initMs() {
        return Units.microsToMillis(initMicros);
    }

    /** Time the engine ran, in ms. */
    public BigDecimal computeMs() {
        return Units.microsToMillis(computeMicros);
    }

    /** {@code memoryMb / 1024 × billedMs / 1000}, exact. */
    public BigDecimal gbSeconds() {
        return Units.gbSeconds(Math.multiplyExact((long) memoryMb, billedMs));
    }

    /** Accelerator time in seconds, exact. */
    public BigDecimal gpuSeconds() {
        return Units.microsToSeconds(gpuMicros);
    }

    /** The cost as a decimal string in {@code currency}, e.g. {@code "0.00000104"}. */
    public String cost() {
        return Units.nanosToDecimal(costNanos);
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }

    private static void requireNonNegative(long value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + value);
        }
    }
}
