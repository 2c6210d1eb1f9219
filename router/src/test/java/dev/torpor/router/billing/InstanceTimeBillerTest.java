package dev.torpor.router.billing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.router.billing.InstanceTimeBiller.Provisioned;
import dev.torpor.router.db.Database;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Provisioned capacity as instance_time records, time driven by hand. */
class InstanceTimeBillerTest {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    @TempDir
    Path dir;
    Database db;
    Ledger ledger;
    // 0.000016 per GB-s, 0.0005 per GPU-s; a per-request price that instance_time must not pay
    final Prices prices = new Prices(3, "USD", 1_000_000, 16_000, 500_000, 1, false);
    InstanceTimeBiller biller;

    final Provisioned cpu = new Provisioned("vad-1-a", "vad", "1", "acme", "cpu", 1024);
    final Provisioned gpu = new Provisioned("ocr-1-b", "ocr", "1", "acme", "gpu:0", 4096);

    @BeforeEach
    void open() {
        db = Database.inDataDir(dir);
        ledger = new Ledger(db.dataSource());
        biller = new InstanceTimeBiller(ledger, () -> prices, new RecordIds(Clock.fixed(T0, ZoneOffset.UTC)),
                Duration.ofSeconds(60));
    }

    @AfterEach
    void close() {
        ledger.close();
        db.close();
    }

    @Test
    void spansCloseEveryIntervalAndWhenTheInstanceStops() {
        biller.tick(T0, List.of(cpu, gpu));
        biller.tick(T0.plusSeconds(30), List.of(cpu, gpu));
        assertThat(records()).isEmpty();
        biller.tick(T0.plusSeconds(60), List.of(cpu, gpu));      // both roll over
        biller.tick(T0.plusMillis(75_500), List.of(cpu));        // the GPU instance stopped
        biller.closeAll(T0.plusSeconds(90));                     // shutdown
        List<BillingRecord> records = records();
        assertThat(records).hasSize(4).allMatch(r -> r.kind() == RecordKind.INSTANCE_TIME)
                .allMatch(r -> r.tenant().equals("acme") && r.owner().equals("acme"))
                .allMatch(r -> r.priceVersion() == 3 && r.httpStatus() == 0 && !r.coldStart());
        assertThat(records).filteredOn(r -> r.device().equals("cpu")).extracting(BillingRecord::billedMs)
                .containsExactly(60_000L, 30_000L);
        assertThat(records).filteredOn(r -> r.device().equals("gpu:0")).extracting(BillingRecord::billedMs)
                .containsExactly(60_000L, 15_500L);
        // 1 GB for 60 s = 60 GB-s × 16000 = 960000 nano; no request price
        assertThat(records).filteredOn(r -> r.device().equals("cpu") && r.billedMs() == 60_000)
                .extracting(BillingRecord::costNanos).containsExactly(960_000L);
        // GPU 15.5 s × 500000 = 7750000 nano; its memory is in the GPU price
        assertThat(records).filteredOn(r -> r.device().equals("gpu:0") && r.billedMs() == 15_500)
                .extracting(BillingRecord::costNanos).containsExactly(7_750_000L);
        assertThat(records.get(0).startedAt()).isEqualTo(T0);
        assertThat(biller.openSpans()).isZero();
        BillingSummary summary = new BillingSummary(db.dataSource());
        assertThat(summary.summarize(null, null, BillingSummary.GroupBy.TENANT).get(0).requests()).isZero();
    }

    private List<BillingRecord> records() {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ledger.pendingCount() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // the biller appends without waiting; wait for the group commit
        }
        return new BillingQuery(db.dataSource()).list(RecordFilter.ALL, 1000, null).records();
    }
}
