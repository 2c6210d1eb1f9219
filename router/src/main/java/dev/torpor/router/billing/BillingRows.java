package dev.torpor.router.billing;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/** The mapping between {@link BillingRecord} and the {@code billing_records} table, shared by writer and readers. */
final class BillingRows {
    /** Every record column, in record order; {@code seq} is not part of a record. */
    static final String COLUMNS = "id, kind, started_at, tenant, owner, model, version, instance_id, device,"
            + " cold_start, queue_us, init_us, compute_us, billed_ms, memory_mb, gpu_us, status, http_status,"
            + " request_bytes, response_bytes, cost_nanos, currency, price_version";

    /**
     * {@code ON CONFLICT(id) DO NOTHING}: an append retried after a commit that succeeded but reported failure (or a
     * caller retrying) never bills twice. The same syntax works on PostgreSQL.
     */
    static final String INSERT = "INSERT INTO billing_records (" + COLUMNS + ")"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT(id) DO NOTHING";

    private BillingRows() {
    }

    static void bind(PreparedStatement ps, BillingRecord r) throws SQLException {
        int i = 0;
        ps.setString(++i, r.id());
        ps.setString(++i, r.kind().wireName());
        ps.setLong(++i, Units.toEpochMicros(r.startedAt()));
        ps.setString(++i, r.tenant());
        ps.setString(++i, r.owner());
        ps.setString(++i, r.model());
        ps.setString(++i, r.version());
        setNullable(ps, ++i, r.instanceId());
        setNullable(ps, ++i, r.device());
        ps.setInt(++i, r.coldStart() ? 1 : 0);
        ps.setLong(++i, r.queueMicros());
        ps.setLong(++i, r.initMicros());
        ps.setLong(++i, r.computeMicros());
        ps.setLong(++i, r.billedMs());
        ps.setInt(++i, r.memoryMb());
        ps.setLong(++i, r.gpuMicros());
        ps.setString(++i, r.status().wireName());
        ps.setInt(++i, r.httpStatus());
        ps.setLong(++i, r.requestBytes());
        ps.setLong(++i, r.responseBytes());
        ps.setLong(++i, r.costNanos());
        ps.setString(++i, r.currency());
        ps.setInt(++i, r.priceVersion());
    }

    /** Reads a row selected as {@link #COLUMNS}, starting at column {@code first}. */
    static BillingRecord read(ResultSet rs, int first) throws SQLException {
        int i = first;
        return new BillingRecord(
                rs.getString(i++),
                RecordKind.fromWire(rs.getString(i++)),
                Units.fromEpochMicros(rs.getLong(i++)),
                rs.getString(i++),
                rs.getString(i++),
                rs.getString(i++),
                rs.getString(i++),
                rs.getString(i++),
                rs.getString(i++),
                rs.getInt(i++) != 0,
                rs.getLong(i++),
                rs.getLong(i++),
                rs.getLong(i++),
                rs.getLong(i++),
                rs.getInt(i++),
                rs.getLong(i++),
                BillingStatus.fromWire(rs.getString(i++)),
                rs.getInt(i++),
                rs.getLong(i++),
                rs.getLong(i++),
                rs.getLong(i++),
                rs.getString(i++),
                rs.getInt(i));
    }

    private static void setNullable(PreparedStatement ps, int index, String value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.VARCHAR);
        } else {
            ps.setString(index, value);
        }
    }
}
