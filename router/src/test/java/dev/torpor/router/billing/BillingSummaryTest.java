package dev.torpor.router.billing;

import static dev.torpor.router.billing.TestRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torpor.error.BadRequest;
import dev.torpor.router.billing.BillingSummary.GroupBy;
import dev.torpor.router.db.Database;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BillingSummaryTest extends LedgerFixture {
    private static final Instant T0 = Instant.parse("2026-11-30T00:00:00Z");

    BillingSummary summary;
    List<BillingRecord> records;


    @BeforeEach
    void open() {
        summary = new BillingSummary(db.dataSource());
        records = randomRecords(400, new Random(7));
        CompletableFuture.allOf(records.stream().map(ledger::append).toArray(CompletableFuture[]::new)).join();
    }


    @Test
    void totalsEqualTheSumsOverTheRecordsForEveryGrouping() {
        assertTotals(GroupBy.MODEL, BillingRecord::model, null, null);
        assertTotals(GroupBy.TENANT, BillingRecord::tenant, null, null);
        assertTotals(GroupBy.DEVICE, r -> r.device() == null ? "none" : r.device(), null, null);
    }

    @Test
    void rangeIsInclusiveFromExclusiveTo() {
        // Bounds exactly on records' startedAt, so both edges are exercised.
        List<Instant> starts = records.stream().map(BillingRecord::startedAt).sorted().toList();
        Instant from = starts.get(100);
        Instant to = starts.get(300);
        assertThat(from).isBefore(to);
        assertTotals(GroupBy.MODEL, BillingRecord::model, from, to);
        assertThat(summary.summarize(T0.plusSeconds(5), T0.plusSeconds(5), GroupBy.MODEL)).isEmpty();
    }

    @Test
    void derivedDecimalsEqualTheSumOfEachRecordsDecimals() {
        for (SummaryRow row : summary.summarize(null, null, GroupBy.MODEL)) {
            List<BillingRecord> mine = records.stream()
                    .filter(r -> r.model().equals(row.key()) && r.currency().equals(row.currency())).toList();
            assertThat(row.gbSeconds()).isEqualByComparingTo(sum(mine, BillingRecord::gbSeconds));
            assertThat(row.computeMs()).isEqualByComparingTo(sum(mine, BillingRecord::computeMs));
            assertThat(row.gpuSeconds()).isEqualByComparingTo(sum(mine, BillingRecord::gpuSeconds));
            assertThat(new BigDecimal(row.cost())).isEqualByComparingTo(sum(mine, r -> new BigDecimal(r.cost())));
        }
    }

    @Test
    void instanceTimeIsBilledButNotCountedAsARequest() throws Exception {
        ledger.close();
        db.close();
        db = new Database(databaseUrl(dir.resolve("other")));
        ledger = new Ledger(db.dataSource());
        summary = new BillingSummary(db.dataSource());
        ledger.append(record().model("m").kind(RecordKind.INSTANCE_TIME).status(BillingStatus.OK).coldStart(false)
                .times(0, 0, 0, 60_000).memoryMb(1024).costNanos(5).build()).join();
        ledger.append(record().model("m").status(BillingStatus.TIMEOUT).coldStart(true)
                .times(0, 0, 2_000, 2).memoryMb(1024).costNanos(7).build()).join();
        assertThat(summary.summarize(null, null, GroupBy.MODEL)).containsExactly(
                new SummaryRow("m", 1, 1, 1, 2_000, 60_002, 1024L * 60_002, 0, 12, "USD"));
        assertThat(summary.summarize(null, null, GroupBy.MODEL).get(0).gbSeconds())
                .isEqualByComparingTo("60.002");
    }

    @Test
    void groupByParsesTheQueryValues() {
        assertThat(GroupBy.parse("model")).isEqualTo(GroupBy.MODEL);
        assertThat(GroupBy.parse("tenant")).isEqualTo(GroupBy.TENANT);
        assertThat(GroupBy.parse("device")).isEqualTo(GroupBy.DEVICE);
        for (String bad : new String[] {"MODEL", "instance", "", null}) {
            assertThatThrownBy(() -> GroupBy.parse(bad)).isInstanceOf(BadRequest.class).hasMessageContaining("groupBy");
        }
        assertThatThrownBy(() -> summary.summarize(T0.plusSeconds(1), T0, GroupBy.MODEL))
                .isInstanceOf(BadRequest.class);
    }

    private void assertTotals(GroupBy groupBy, Function<BillingRecord, String> key, Instant from, Instant to) {
        Map<List<String>, SummaryRow> expected = new TreeMap<>(Comparator.<List<String>, String>comparing(k -> k.get(0))
                .thenComparing(k -> k.get(1)));
        for (BillingRecord r : records) {
            if ((from != null && r.startedAt().isBefore(from)) || (to != null && !r.startedAt().isBefore(to))) {
                continue;
            }
            List<String> k = List.of(key.apply(r), r.currency());
            boolean request = r.kind() == RecordKind.REQUEST;
            SummaryRow one = new SummaryRow(k.get(0), request ? 1 : 0,
                    request && r.status() != BillingStatus.OK ? 1 : 0, r.coldStart() ? 1 : 0, r.computeMicros(),
                    r.billedMs(), (long) r.memoryMb() * r.billedMs(), r.gpuMicros(), r.costNanos(), r.currency());
            expected.merge(k, one, BillingSummaryTest::add);
        }
        assertThat(expected).hasSizeGreaterThan(3);
        assertThat(summary.summarize(from, to, groupBy)).containsExactlyElementsOf(expected.values());
    }

    private static SummaryRow add(SummaryRow a, SummaryRow b) {
        return new SummaryRow(a.key(), a.requests() + b.requests(), a.errors() + b.errors(),
                a.coldStarts() + b.coldStarts(), a.computeMicros() + b.computeMicros(), a.billedMs() + b.billedMs(),
                a.mbMillis() + b.mbMillis(), a.gpuMicros() + b.gpuMicros(), a.costNanos() + b.costNanos(),
                a.currency());
    }

    private static BigDecimal sum(List<BillingRecord> rs, Function<BillingRecord, BigDecimal> f) {
        return rs.stream().map(f).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    private static List<BillingRecord> randomRecords(int n, Random random) {
        String[] models = {"vad", "ocr-det", "ocr-rec"};
        String[] tenants = {"default", "acme", "globex"};
        String[] devices = {"cpu", "gpu:0", "gpu:1", null};
        List<BillingRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(record()
                    .model(models[random.nextInt(models.length)])
                    .tenant(tenants[random.nextInt(tenants.length)])
                    .device(devices[random.nextInt(devices.length)])
                    .kind(random.nextInt(10) == 0 ? RecordKind.INSTANCE_TIME : RecordKind.REQUEST)
                    .status(BillingStatus.values()[random.nextInt(3) == 0
                            ? random.nextInt(BillingStatus.values().length) : 0])
                    .coldStart(random.nextInt(5) == 0)
                    .startedAt(T0.plusSeconds(random.nextInt(400)).plusNanos(random.nextInt(1_000_000) * 1000L))
                    .times(random.nextInt(5_000), random.nextInt(100_000), random.nextInt(2_000_000),
                            random.nextInt(3_000))
                    .memoryMb(64 << random.nextInt(6))
                    .gpuMicros(random.nextInt(2) == 0 ? 0 : random.nextInt(3_000_000))
                    .costNanos(random.nextInt(50_000_000))
                    .currency(random.nextInt(8) == 0 ? "EUR" : "USD")
                    .build());
        }
        return out;
    }
}
