package dev.torpor.router.billing;

import static dev.torpor.router.billing.TestRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.router.db.Database;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reconciliation compares what instances measured with what the ledger billed them, on a real database. */
class ReconcilerTest {
    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");

    @TempDir
    Path dir;

    private static InstanceUsage.Sample usage(String id, Instant started, long busyMicros, long runs) {
        return new InstanceUsage.Sample(id, "vad", "1", "cpu", started, busyMicros, runs);
    }

    private static void bill(Ledger ledger, String instance, long... computeMicros) {
        CompletableFuture<?>[] all = new CompletableFuture<?>[computeMicros.length];
        for (int i = 0; i < computeMicros.length; i++) {
            all[i] = ledger.append(record().instanceId(instance).startedAt(T0.plusSeconds(i))
                    .times(0, 0, computeMicros[i], 1).build());
        }
        CompletableFuture.allOf(all).join();
    }

    @Test
    void anInstanceWhoseRecordsAccountForItsBusyTimeIsConsistentAndAMissingRecordIsAGap() {
        try (Database db = Database.inDataDir(dir); Ledger ledger = new Ledger(db.dataSource())) {
            InstanceUsage usage = new InstanceUsage(db.dataSource());
            // a: three runs, each record truncated its own nanoseconds: within one microsecond per run.
            usage.stopped(usage("a", T0, 3_002, 3), T0.plusSeconds(10));
            bill(ledger, "a", 1_000, 1_000, 1_000);
            // b: three runs, one record missing (or a run billed no compute time): 2 ms unaccounted.
            usage.stopped(usage("b", T0, 3_000, 3), T0.plusSeconds(10));
            bill(ledger, "b", 1_000);

            List<Reconciler.Row> rows = new Reconciler(db.dataSource()).reconcile(null, null, List.of());

            assertThat(rows).extracting(Reconciler.Row::instanceId).containsExactly("a", "b");
            Reconciler.Row a = rows.get(0);
            assertThat(a.records()).isEqualTo(3);
            assertThat(a.gapMicros()).isEqualTo(2);
            assertThat(a.consistent()).isTrue();
            Reconciler.Row b = rows.get(1);
            assertThat(b.records()).isEqualTo(1);
            assertThat(b.gapMicros()).isEqualTo(2_000);
            assertThat(b.gapMs()).isEqualByComparingTo("2");
            assertThat(b.consistent()).isFalse();
        }
    }

    @Test
    void theWindowSelectsInstancesAliveInItAndLiveCountersReplaceStoredOnes() {
        try (Database db = Database.inDataDir(dir); Ledger ledger = new Ledger(db.dataSource())) {
            InstanceUsage usage = new InstanceUsage(db.dataSource());
            usage.stopped(usage("old", T0.minusSeconds(7200), 500, 1), T0.minusSeconds(3600));
            usage.refresh(List.of(usage("live", T0, 1_000, 1)), T0.plusSeconds(1));
            bill(ledger, "live", 1_000, 2_000);

            Reconciler reconciler = new Reconciler(db.dataSource());
            List<Reconciler.Row> stale = reconciler.reconcile(T0.minusSeconds(60), T0.plusSeconds(60), List.of());
            assertThat(stale).singleElement().satisfies(row -> {
                assertThat(row.instanceId()).isEqualTo("live");
                assertThat(row.live()).isFalse();
                assertThat(row.consistent()).isFalse(); // stored counters are a run behind
            });

            List<Reconciler.Row> now = reconciler.reconcile(T0.minusSeconds(60), T0.plusSeconds(60),
                    List.of(usage("live", T0, 3_000, 2)));
            assertThat(now).singleElement().satisfies(row -> {
                assertThat(row.live()).isTrue();
                assertThat(row.busyMicros()).isEqualTo(3_000);
                assertThat(row.consistent()).isTrue();
            });
        }
    }

    @Test
    void aStoppedInstancesFinalCountersAreNeverOverwrittenByALateRefresh() {
        try (Database db = Database.inDataDir(dir)) {
            InstanceUsage usage = new InstanceUsage(db.dataSource());
            usage.stopped(usage("x", T0, 9_000, 9), T0.plusSeconds(5));
            usage.refresh(List.of(usage("x", T0, 1_000, 1)), T0.plusSeconds(6));

            Reconciler.Row row = new Reconciler(db.dataSource()).reconcile(null, null, List.of()).get(0);
            assertThat(row.busyMicros()).isEqualTo(9_000);
            assertThat(row.runs()).isEqualTo(9);
        }
    }
}
