package dev.torpor.router.billing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Deletes billing records older than the retention period ({@code TORPOR_BILLING_RETENTION_DAYS}; unset keeps them
 * for ever). The documented path is export, then delete (README, "Billing retention"): export a range with
 * {@code GET /billing/records?to=CUTOFF} (CSV, following {@code Torpor-Next-Cursor}), then delete it with
 * {@code DELETE /admin/billing/records?before=CUTOFF}; the automatic purge does the same delete for
 * {@code now − retention} once an hour. Deletion is by {@code startedAt}, in batches, so a large purge never holds
 * the writer lock for long. Seqs are never reused ({@code AUTOINCREMENT} / identity), so cursors stay valid.
 * Thread-safe.
 */
public final class BillingRetention {
    private static final int BATCH = 10_000;

    private final DataSource dataSource;
    private final Duration retention;

    /** @param retention null: keep for ever ({@link #purge} deletes nothing) */
    public BillingRetention(DataSource dataSource, Duration retention) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.retention = retention;
    }

    /** Deletes the records older than the retention period at {@code now}; the number deleted. */
    public long purge(Instant now) {
        return retention == null ? 0 : deleteBefore(now.minus(retention));
    }

    /** Deletes every record with {@code startedAt < cutoff}; the number deleted. */
    public long deleteBefore(Instant cutoff) {
        long cut = Units.ceilEpochMicros(cutoff);
        long total = 0;
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM billing_records WHERE seq IN"
                     + " (SELECT seq FROM billing_records WHERE started_at < ? ORDER BY seq LIMIT ?)")) {
            int n;
            do {
                ps.setLong(1, cut);
                ps.setInt(2, BATCH);
                n = ps.executeUpdate();
                total += n;
            } while (n == BATCH);
        } catch (SQLException e) {
            throw new IllegalStateException("deleting billing records failed", e);
        }
        return total;
    }
}
