package dev.torpor.router.billing;

import dev.torpor.error.BadRequest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Totals of billing records per model, tenant or device, over a {@code startedAt} range.
 *
 * <p>Totals are summed in SQL over the integer columns (µs, ms, MB·ms, nano-units), so each equals the sum of the
 * records' values exactly; decimals are derived afterwards ({@link SummaryRow}). Rows are grouped by key <em>and</em>
 * currency, because costs in different currencies do not add up: a key billed in two currencies has two rows. Rows
 * come ordered by key, then currency. Thread-safe: each call uses its own connection.
 */
public final class BillingSummary {

    /** What the rows are keyed by. */
    public enum GroupBy {
        MODEL("model"),
        TENANT("tenant"),
        /** Records without a device are keyed {@code "none"}. */
        DEVICE("COALESCE(device, 'none')");

        private final String keyExpression;

        GroupBy(String keyExpression) {
            this.keyExpression = keyExpression;
        }

        /**
         * Parses the {@code groupBy} query parameter: {@code model}, {@code tenant} or {@code device}.
         *
         * @throws BadRequest for anything else (null included: the caller applies the default)
         */
        public static GroupBy parse(String value) {
            if (value != null) {
                for (GroupBy g : values()) {
                    if (g.name().toLowerCase(Locale.ROOT).equals(value)) {
                        return g;
                    }
                }
            }
            throw new BadRequest("groupBy must be one of model, tenant, device");
        }
    }

    private final DataSource dataSource;

    public BillingSummary(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    /**
     * One row per key and currency over the records with {@code from <= startedAt < to}.
     *
     * @param from inclusive; null for no lower bound
     * @param to   exclusive; null for no upper bound
     * @throws BadRequest when {@code from} is after {@code to}
     */
    public List<SummaryRow> summarize(Instant from, Instant to, GroupBy groupBy) {
        return summarize(from, to, groupBy, null);
    }

    /**
     * As {@link #summarize(Instant, Instant, GroupBy)}, over one tenant's records only.
     *
     * @param tenant only records billed to this tenant; null for all
     */
    public List<SummaryRow> summarize(Instant from, Instant to, GroupBy groupBy, String tenant) {
        Objects.requireNonNull(groupBy, "groupBy");
        if (from != null && to != null && from.isAfter(to)) {
            throw new BadRequest("from must not be after to");
        }
        // keyExpression comes from the enum, never from the client, so concatenating it is safe.
        String sql = "SELECT " + groupBy.keyExpression + " AS k, currency,"
                + " SUM(CASE WHEN kind = 'request' THEN 1 ELSE 0 END),"
                + " SUM(CASE WHEN kind = 'request' AND status <> 'ok' THEN 1 ELSE 0 END),"
                + " SUM(cold_start), SUM(compute_us), SUM(billed_ms), SUM(memory_mb * billed_ms),"
                + " SUM(gpu_us), SUM(cost_nanos)"
                + " FROM billing_records WHERE started_at >= ? AND started_at < ?"
                + (tenant == null ? "" : " AND tenant = ?")
                + " GROUP BY k, currency ORDER BY k, currency";
        List<SummaryRow> rows = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, from == null ? Long.MIN_VALUE : Units.ceilEpochMicros(from));
            ps.setLong(2, to == null ? Long.MAX_VALUE : Units.ceilEpochMicros(to));
            if (tenant != null) {
                ps.setString(3, tenant);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new SummaryRow(rs.getString(1), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                            rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getLong(10),
                            rs.getString(2)));
                }
            }
        } catch (SQLException e) {
            // SQLite raises "integer overflow" rather than wrapping a SUM, so a total is exact or an error.
            throw new IllegalStateException("summarizing billing records failed", e);
        }
        return rows;
    }
}
