package dev.torpor.router.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.torpor.router.billing.RecordIds;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The audit log of changes: who (key id, role, tenant), what (action and target, with details as JSON) and
 * when. Written synchronously after the change succeeded, so an entry never names a change that did not happen;
 * read by operators through {@code GET /admin/audit}. Ids are ULIDs, so paging by id is stable.
 *
 * <p>Actions: {@code model.publish}, {@code model.delete}, {@code model.config}, {@code pool.limits},
 * {@code prices.update}, {@code key.create}, {@code key.delete}, {@code billing.delete}.
 */
public final class AuditLog {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DataSource dataSource;
    private final RecordIds ids;
    private final Clock clock;

    public AuditLog(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.ids = new RecordIds(clock);
    }

    /** Records a change made by {@code caller}; {@code detail} is serialised as JSON (may be null). */
    public void record(Caller caller, String action, String target, Object detail) {
        String detailJson;
        try {
            detailJson = detail == null ? null : JSON.writeValueAsString(detail);
        } catch (JsonProcessingException impossible) {
            throw new IllegalArgumentException("audit detail is not serialisable: " + impossible.getMessage());
        }
        AuditEntry entry = new AuditEntry(ids.next(), clock.instant(), caller.keyId(), caller.role().wireName(),
                caller.tenant(), action, target, detailJson);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO audit_log (id, at, actor_key_id,"
                     + " actor_role, actor_tenant, action, target, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, entry.id());
            insert.setLong(2, entry.at().toEpochMilli());
            insert.setString(3, entry.actorKeyId());
            insert.setString(4, entry.actorRole());
            insert.setString(5, entry.actorTenant());
            insert.setString(6, entry.action());
            insert.setString(7, entry.target());
            insert.setString(8, entry.detail());
            insert.executeUpdate();
        } catch (SQLException failure) {
            throw new IllegalStateException("cannot write the audit log: " + failure.getMessage(), failure);
        }
    }

    /**
     * Entries in id (time) order.
     *
     * @param after  only entries after this id (the previous page's last id), or null
     * @param action only this action, or null
     * @param limit  at most this many
     */
    public List<AuditEntry> read(String after, String action, int limit) {
        StringBuilder sql = new StringBuilder("SELECT id, at, actor_key_id, actor_role, actor_tenant, action, target,"
                + " detail FROM audit_log WHERE 1 = 1");
        List<String> params = new ArrayList<>();
        if (after != null) {
            sql.append(" AND id > ?");
            params.add(after);
        }
        if (action != null) {
            sql.append(" AND action = ?");
            params.add(action);
        }
        sql.append(" ORDER BY id LIMIT ").append(limit);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(sql.toString())) {
            for (int i = 0; i < params.size(); i++) {
                select.setString(i + 1, params.get(i));
            }
            try (ResultSet rows = select.executeQuery()) {
                List<AuditEntry> entries = new ArrayList<>();
                while (rows.next()) {
                    entries.add(new AuditEntry(rows.getString(1), Instant.ofEpochMilli(rows.getLong(2)),
                            rows.getString(3), rows.getString(4), rows.getString(5), rows.getString(6),
                            rows.getString(7), rows.getString(8)));
                }
                return entries;
            }
        } catch (SQLException failure) {
            throw new IllegalStateException("cannot read the audit log: " + failure.getMessage(), failure);
        }
    }
}
