package dev.torpor.router.billing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import javax.sql.DataSource;

/**
 * Keeps each instance's own counters (busy engine time, runs) in the database: refreshed once a second for live
 * instances and written a last time when an instance stops, so they outlive it. A stopped row is final: a late
 * refresh never overwrites it. The same SQL serves SQLite and PostgreSQL.
 */
public final class InstanceUsage {
    /** One instance's counters at a moment. */
    public record Sample(String instanceId, String model, String version, String device, Instant startedAt,
                         long busyMicros, long runs) {
    }

    private static final String UPSERT = "INSERT INTO instance_usage (instance_id, model, version, device, started_at,"
            + " last_seen, busy_us, runs, stopped) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (instance_id) DO UPDATE SET last_seen = excluded.last_seen, busy_us = excluded.busy_us,"
            + " runs = excluded.runs, stopped = excluded.stopped WHERE instance_usage.stopped = 0";

    private final DataSource dataSource;

    public InstanceUsage(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Records live instances' counters as of {@code now}. */
    public void refresh(Collection<Sample> live, Instant now) {
        write(live, now, false);
    }

    /** Records an instance's final counters. */
    public void stopped(Sample last, Instant now) {
        write(java.util.List.of(last), now, true);
    }

    private void write(Collection<Sample> samples, Instant now, boolean stopped) {
        if (samples.isEmpty()) {
            return;
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement upsert = connection.prepareStatement(UPSERT)) {
            for (Sample sample : samples) {
                upsert.setString(1, sample.instanceId());
                upsert.setString(2, sample.model());
                upsert.setString(3, sample.version());
                upsert.setString(4, sample.device());
                upsert.setLong(5, Units.toEpochMicros(sample.startedAt()));
                upsert.setLong(6, Units.toEpochMicros(now));
                upsert.setLong(7, sample.busyMicros());
                upsert.setLong(8, sample.runs());
                upsert.setInt(9, stopped ? 1 : 0);
                upsert.addBatch();
            }
            upsert.executeBatch();
        } catch (SQLException failed) {
            throw new IllegalStateException("cannot record instance usage: " + failed.getMessage(), failed);
        }
    }
}
