package dev.torpor.router.billing;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Billing's reconciliation: for every instance alive in a window, the compute time the ledger billed to it
 * (the sum of its request records' {@code computeMs}) against the engine time the instance itself measured
 * ({@link InstanceUsage}). Both are whole-life totals of each instance, so the window only selects instances.
 *
 * <p>A gap means engine time nobody was billed for (e.g. a request that timed out or whose client left while it
 * ran is billed no compute time) or a record missing or doubled. Each record's compute time is truncated to the
 * microsecond, so a gap of up to one microsecond per run is rounding and counts as consistent. For a live
 * instance the two sides are read a moment apart (its counters up to a second old, a record committing after
 * its run), so a live instance can show a transient gap.
 */
public final class Reconciler {
    /** One instance's two accounts. */
    public record Row(String instanceId, String model, String version, String device, boolean live, long runs,
                      long records, long busyMicros, long billedMicros) {

        public long gapMicros() {
            return busyMicros - billedMicros;
        }

        /** Whether the gap is within rounding (one microsecond per run). */
        public boolean consistent() {
            return Math.abs(gapMicros()) <= Math.max(1, runs);
        }

        public BigDecimal busyMs() {
            return Units.microsToMillis(busyMicros);
        }

        public BigDecimal billedComputeMs() {
            return Units.microsToMillis(billedMicros);
        }

        public BigDecimal gapMs() {
            return Units.microsToMillis(gapMicros());
        }
    }

    private static final String QUERY = "SELECT u.instance_id, u.model, u.version, u.device, u.busy_us, u.runs,"
            + " u.stopped, (SELECT COUNT(*) FROM billing_records r WHERE r.instance_id = u.instance_id"
            + " AND r.kind = 'request') AS records, (SELECT COALESCE(SUM(r.compute_us), 0) FROM billing_records r"
            + " WHERE r.instance_id = u.instance_id AND r.kind = 'request') AS billed"
            + " FROM instance_usage u WHERE u.started_at < ? AND u.last_seen >= ? ORDER BY u.started_at, u.instance_id";

    private final DataSource dataSource;

    public Reconciler(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * @param from inclusive, or null for the beginning
     * @param to   exclusive, or null for now and later
     * @param live the live instances' current counters, which replace their stored (up to a second old) ones
     */
    public List<Row> reconcile(Instant from, Instant to, Collection<InstanceUsage.Sample> live) {
        Map<String, InstanceUsage.Sample> current = new LinkedHashMap<>();
        live.forEach(sample -> current.put(sample.instanceId(), sample));
        List<Row> rows = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(QUERY)) {
            select.setLong(1, to == null ? Long.MAX_VALUE : Units.toEpochMicros(to));
            select.setLong(2, from == null ? Long.MIN_VALUE : Units.toEpochMicros(from));
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    String id = row.getString(1);
                    InstanceUsage.Sample now = row.getInt(7) == 0 ? current.get(id) : null;
                    rows.add(new Row(id, row.getString(2), row.getString(3), row.getString(4), now != null,
                            now != null ? now.runs() : row.getLong(6), row.getLong(8),
                            now != null ? now.busyMicros() : row.getLong(5), row.getLong(9)));
                }
            }
        } catch (SQLException failed) {
            throw new IllegalStateException("cannot reconcile billing: " + failed.getMessage(), failed);
        }
        return rows;
    }
}
