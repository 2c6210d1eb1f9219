package dev.torpor.router.billing;

import dev.torpor.error.BadRequest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Lists billing records page by page, in ledger order ({@code seq}, the order records were committed).
 *
 * <h2>Paging guarantee: never a skipped or repeated committed record, also while records are written</h2>
 * A page holds the first {@code limit} matching records with {@code seq} greater than the cursor's, and the next
 * cursor is the {@code seq} of its last record. {@code seq} is an {@code AUTOINCREMENT} key, assigned when a row is
 * inserted, inside the transaction that commits it. SQLite lets one connection write at a time, and a writer holds
 * that lock from its first insert until its commit; so a transaction that takes a seq commits before any other
 * transaction can take a larger one, and <em>commit order equals seq order</em>. A reader (a WAL snapshot) therefore
 * never sees a larger seq committed while a smaller one is still to come: every record that commits after a page was
 * read has a seq above that page's last one, and shows up on a later page. {@code seq > cursor} thus neither skips
 * nor repeats a committed record, and {@code AUTOINCREMENT} never reuses a seq, even after deletions. Timestamps and
 * ids are not used for paging: records reach the ledger out of {@code startedAt} order.
 *
 * <p><b>PostgreSQL (several routers, one database).</b> A sequence value is taken when a row is inserted, not when
 * its transaction commits, so two concurrent transactions could commit in the other order, and a reader could see
 * seq 11 while 10 is still to come. {@link Ledger} prevents this by assigning the order at commit: every ledger
 * transaction first takes one transaction-scoped advisory lock ({@code pg_advisory_xact_lock}, the same key in every
 * router) and holds it to its commit, so ledger transactions — from any router — take seqs and commit one at a
 * time, and PostgreSQL makes a commit visible before it releases the lock. Commit order is again seq order, and the
 * same argument holds. The cost is one lock per group commit (one batch of up to 512 records), not per record.
 * Every writer of {@code billing_records} must go through {@link Ledger} (retention only deletes).
 *
 * <p>Retention deletes the oldest records; a client paging through a range that is being deleted simply does not see
 * the deleted ones (nothing is repeated, and no later record is skipped).
 *
 * <p>Thread-safe: each call uses its own connection.
 */
public final class BillingQuery {
    /** Largest page a client may ask for. */
    public static final int MAX_LIMIT = 1000;

    /**
     * One page of records in ledger order.
     *
     * @param next the cursor for the following page; null when no more records matched when this page was read
     */
    public record Page(List<BillingRecord> records, String next) {
        public Page {
            records = List.copyOf(records);
        }
    }

    private final DataSource dataSource;

    public BillingQuery(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * The matching records after {@code after}, at most {@code limit} of them.
     *
     * @param limit 1 … {@value #MAX_LIMIT}
     * @param after a cursor from a previous page, or null for the first page
     * @throws BadRequest for a limit out of range or a cursor this class did not issue
     */
    public Page list(RecordFilter filter, int limit, String after) {
        Objects.requireNonNull(filter, "filter");
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new BadRequest("limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
        long afterSeq = Cursor.decode(after);

        StringBuilder sql = new StringBuilder("SELECT seq, ").append(BillingRows.COLUMNS)
                .append(" FROM billing_records WHERE seq > ?");
        List<Object> params = new ArrayList<>();
        params.add(afterSeq);
        if (filter.model() != null) {
            sql.append(" AND model = ?");
            params.add(filter.model());
        }
        if (filter.tenant() != null) {
            sql.append(" AND tenant = ?");
            params.add(filter.tenant());
        }
        if (filter.from() != null) {
            sql.append(" AND started_at >= ?");
            params.add(Units.ceilEpochMicros(filter.from()));
        }
        if (filter.to() != null) {
            sql.append(" AND started_at < ?");
            params.add(Units.ceilEpochMicros(filter.to()));
        }
        // One row more than asked tells whether a next page exists without a second query.
        sql.append(" ORDER BY seq LIMIT ?");
        params.add(limit + 1);

        List<BillingRecord> records = new ArrayList<>(Math.min(limit, 128));
        long lastSeq = afterSeq;
        boolean more = false;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (records.size() == limit) {
                        more = true;
                        break;
                    }
                    lastSeq = rs.getLong(1);
                    records.add(BillingRows.read(rs, 2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading billing records failed", e);
        }
        return new Page(records, more ? Cursor.encode(lastSeq) : null);
    }
}
