package dev.torpor.router.billing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RequestRecordsTest {
    private static final Instant ARRIVED = Instant.parse("2026-01-02T03:04:05.123456Z");
    // 1 nano-unit per request, 1024 per GB-second (1 per MB·s), 2000 per GPU-second; 10 ms granularity.
    private final AtomicReference<Prices> prices = new AtomicReference<>(new Prices(3, "EUR", 1, 1024, 2000, 10, false));
    private final RequestRecords records =
            new RequestRecords(new RecordIds(Clock.fixed(ARRIVED, ZoneOffset.UTC)), prices::get);

    @Test
    void aRequestThatRanIsBilledItsComputeTimeRoundedUpAndPricedWithTheCurrentTable() {
        BillingRecord record = records.request(ARRIVED, "acme", "owner", "m", "2")
                .servedBy("i-1", "cpu", true).waited(300, 40_000).ran(12_001).sized(1024, 77)
                .answered(BillingStatus.OK, 200, 99);

        assertThat(record.kind()).isEqualTo(RecordKind.REQUEST);
        assertThat(record.id()).hasSize(RecordIds.LENGTH);
        assertThat(record.startedAt()).isEqualTo(ARRIVED);
        assertThat(record.tenant()).isEqualTo("acme");
        assertThat(record.owner()).isEqualTo("owner");
        assertThat(record.instanceId()).isEqualTo("i-1");
        assertThat(record.coldStart()).isTrue();
        assertThat(record.queueMicros()).isEqualTo(300);
        assertThat(record.initMicros()).isEqualTo(40_000);
        assertThat(record.computeMicros()).isEqualTo(12_001);
        assertThat(record.billedMs()).as("12.001 ms up to the 10 ms granularity; cold start not billed").isEqualTo(20);
        assertThat(record.gpuMicros()).isZero();
        assertThat(record.costNanos()).as("1 per request + 1024 MB × 20 ms at 1 per MB·s, half up").isEqualTo(21);
        assertThat(record.httpStatus()).isEqualTo(200);
        assertThat(record.requestBytes()).isEqualTo(77);
        assertThat(record.responseBytes()).isEqualTo(99);
        assertThat(record.currency()).isEqualTo("EUR");
        assertThat(record.priceVersion()).isEqualTo(3);
    }

    @Test
    void aRequestThatNeverRanIsBilledZeroTimeAndTheRequestPriceWithThePricesOfWhenItIsBuilt() {
        RequestRecords.Builder builder = records.request(ARRIVED, "acme", "owner", "m", "1").sized(512, 10);
        prices.set(new Prices(4, "EUR", 5, 1024, 2000, 10, false));

        BillingRecord record = builder.answered(BillingStatus.REJECTED, 429, 50);

        assertThat(record.billedMs()).isZero();
        assertThat(record.instanceId()).isNull();
        assertThat(record.device()).isNull();
        assertThat(record.costNanos()).isEqualTo(5);
        assertThat(record.priceVersion()).isEqualTo(4);
        assertThat(record.status()).isEqualTo(BillingStatus.REJECTED);
        assertThat(record.httpStatus()).isEqualTo(429);
    }

    @Test
    void aRequestOnAGpuIsBilledItsBilledTimeAsGpuTime() {
        BillingRecord record = records.request(ARRIVED, "acme", "owner", "m", "1")
                .servedBy("i-2", "gpu:0", false).ran(3_000).sized(2048, 1)
                .answered(BillingStatus.OK, 200, 1);

        assertThat(record.billedMs()).isEqualTo(10);
        assertThat(record.gpuMicros()).isEqualTo(10_000);
        assertThat(record.costNanos()).as("1 per request + 10 ms at 2000 per GPU-second").isEqualTo(21);
    }
}
