package dev.torpor.router.billing;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** Builds billing records for tests: every field set to a distinct, non-default value unless overridden. */
final class TestRecords {
    private static final AtomicLong COUNTER = new AtomicLong();

    String id = "01TEST" + String.format("%020d", COUNTER.incrementAndGet());
    RecordKind kind = RecordKind.REQUEST;
    Instant startedAt = Instant.parse("2026-11-30T14:59:06.123456Z");
    String tenant = "default";
    String owner = "acme";
    String model = "vad";
    String version = "1";
    String instanceId = "vad-1-7f3a";
    String device = "cpu";
    boolean coldStart = true;
    long queueMicros = 1_250;
    long initMicros = 48_000;
    long computeMicros = 999;
    long billedMs = 1;
    int memoryMb = 64;
    long gpuMicros = 0;
    BillingStatus status = BillingStatus.OK;
    int httpStatus = 200;
    long requestBytes = 5321;
    long responseBytes = 1210;
    long costNanos = 1040;
    String currency = "USD";
    int priceVersion = 1;

    static TestRecords record() {
        return new TestRecords();
    }

    TestRecords id(String v) {
        id = v;
        return this;
    }

    TestRecords kind(RecordKind v) {
        kind = v;
        return this;
    }

    TestRecords startedAt(Instant v) {
        startedAt = v;
        return this;
    }

    TestRecords tenant(String v) {
        tenant = v;
        return this;
    }

    TestRecords model(String v) {
        model = v;
        return this;
    }

    TestRecords device(String v) {
        device = v;
        return this;
    }

    TestRecords instanceId(String v) {
        instanceId = v;
        return this;
    }

    TestRecords coldStart(boolean v) {
        coldStart = v;
        return this;
    }

    TestRecords status(BillingStatus v) {
        status = v;
        return this;
    }

    TestRecords times(long queueUs, long initUs, long computeUs, long billed) {
        queueMicros = queueUs;
        initMicros = initUs;
        computeMicros = computeUs;
        billedMs = billed;
        return this;
    }

    TestRecords memoryMb(int v) {
        memoryMb = v;
        return this;
    }

    TestRecords gpuMicros(long v) {
        gpuMicros = v;
        return this;
    }

    TestRecords costNanos(long v) {
        costNanos = v;
        return this;
    }

    TestRecords currency(String v) {
        currency = v;
        return this;
    }

    BillingRecord build() {
        return new BillingRecord(id, kind, startedAt, tenant, owner, model, version, instanceId, device, coldStart,
                queueMicros, initMicros, computeMicros, billedMs, memoryMb, gpuMicros, status, httpStatus,
                requestBytes, responseBytes, costNanos, currency, priceVersion);
    }
}
