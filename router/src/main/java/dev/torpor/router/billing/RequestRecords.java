package dev.torpor.router.billing;

import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The one place a request's {@link BillingRecord} is made: the infer path says what it measured, step by step, on a
 * {@link Builder}, and {@link Builder#build()} gives the record an id and prices it (billed time, GPU time, cost) with
 * the price table's version current at that moment. Thread-safe; each builder belongs to one request.
 */
public final class RequestRecords {
    private final RecordIds ids;
    private final Supplier<Prices> prices;

    /** @param prices the price table's current version, read once per record */
    public RequestRecords(RecordIds ids, Supplier<Prices> prices) {
        this.ids = Objects.requireNonNull(ids, "ids");
        this.prices = Objects.requireNonNull(prices, "prices");
    }

    /** Starts the record of a request for {@code owner}'s model {@code model} version {@code version}. */
    public Builder request(Instant arrived, String tenant, String owner, String model, String version) {
        return new Builder(arrived, tenant, owner, model, version);
    }

    /** GPU time billed: the billed time of a request that ran on a GPU ({@code gpu:N}), in µs; 0 on the CPU. */
    public static long gpuMicros(String deviceId, long billedMs) {
        return deviceId != null && deviceId.startsWith("gpu:") ? billedMs * 1000 : 0;
    }

    /** What one request measured on its way; every field left unset is zero (or null: no instance, no device). */
    public final class Builder {
        private final Instant arrived;
        private final String tenant;
        private final String owner;
        private final String model;
        private final String version;
        private String instanceId;
        private String device;
        private boolean coldStart;
        private long queueMicros;
        private long initMicros;
        private long computeMicros;
        private boolean ran;
        private int memoryMb;
        private long requestBytes;

        private Builder(Instant arrived, String tenant, String owner, String model, String version) {
            this.arrived = arrived;
            this.tenant = tenant;
            this.owner = owner;
            this.model = model;
            this.version = version;
        }

        /** The instance that took the request, its device ({@code cpu}, {@code gpu:N}), and whether it cold-started. */
        public Builder servedBy(String instanceId, String device, boolean coldStart) {
            this.instanceId = instanceId;
            this.device = device;
            this.coldStart = coldStart;
            return this;
        }

        /** Time queued before an instance took it, and time spent starting one for it, in µs. */
        public Builder waited(long queueMicros, long initMicros) {
            this.queueMicros = queueMicros;
            this.initMicros = initMicros;
            return this;
        }

        /** The engine ran the request for {@code computeMicros}; only a request that ran is billed time. */
        public Builder ran(long computeMicros) {
            this.computeMicros = computeMicros;
            this.ran = true;
            return this;
        }

        /** The model's memory, in MB, and the request body's size, in bytes. */
        public Builder sized(int memoryMb, long requestBytes) {
            this.memoryMb = memoryMb;
            this.requestBytes = requestBytes;
            return this;
        }

        /**
         * The record of the request answered {@code httpStatus} with {@code responseBytes} bytes, ended as
         * {@code status}: a new id, priced now. A request that never ran is billed 0 ms (the per-request price only).
         */
        public BillingRecord answered(BillingStatus status, int httpStatus, long responseBytes) {
            Prices price = prices.get();
            long billedMs = ran ? price.billedMs(computeMicros, initMicros, coldStart) : 0;
            return new BillingRecord(ids.next(), RecordKind.REQUEST, arrived, tenant, owner, model, version,
                    instanceId, device, coldStart, queueMicros, initMicros, computeMicros, billedMs, memoryMb,
                    gpuMicros(device, billedMs), status, httpStatus, requestBytes, responseBytes,
                    price.costNanos(true, device, memoryMb, billedMs), price.currency(), price.version());
        }
    }
}
