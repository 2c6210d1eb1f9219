package dev.torpor.router.billing;

import static dev.torpor.router.billing.TestRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.router.db.Database;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention: export a range, then delete it; the purge deletes only what is past the period. */
class BillingRetentionTest {
    @TempDir
    Path dir;

    @Test
    void exportThenDeleteKeepsEverythingYoungerThanTheCutoff() {
        Instant now = Instant.parse("2026-12-01T00:00:00Z");
        try (Database db = Database.inDataDir(dir); Ledger ledger = new Ledger(db.dataSource())) {
            CompletableFuture<?>[] all = new CompletableFuture<?>[40];
            for (int day = 0; day < 40; day++) {
                all[day] = ledger.append(record().startedAt(now.minus(Duration.ofDays(day)).minusSeconds(1)).build());
            }
            CompletableFuture.allOf(all).join();
            BillingQuery query = new BillingQuery(db.dataSource());
            Instant cutoff = now.minus(Duration.ofDays(30));
            // export: the records before the cutoff (what an operator saves as CSV first)
            var exported = query.list(new RecordFilter(null, null, null, cutoff), 1000, null).records();
            String csv = BillingCsv.toCsv(exported);
            assertThat(exported).hasSize(10);
            assertThat(csv.split("\r\n")).hasSize(11);

            BillingRetention retention = new BillingRetention(db.dataSource(), Duration.ofDays(30));
            assertThat(retention.purge(now)).isEqualTo(10);
            assertThat(retention.purge(now)).isZero();
            assertThat(query.list(RecordFilter.ALL, 1000, null).records()).hasSize(30)
                    .allMatch(r -> !r.startedAt().isBefore(cutoff));
            assertThat(new BillingRetention(db.dataSource(), null).purge(now.plus(Duration.ofDays(999)))).isZero();
        }
    }
}
