package dev.torpor.router.auth;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** The {@code api_keys} table, shared by every router on the same database. */
public final class KeyRepository {
    private final DataSource dataSource;

    public KeyRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public void insert(StoredKey key) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO api_keys"
                     + " (id, key_hash, role, tenant, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, key.id());
            insert.setString(2, key.keyHash());
            insert.setString(3, key.role().wireName());
            insert.setString(4, key.tenant());
            insert.setLong(5, key.createdAt().toEpochMilli());
            insert.setString(6, key.createdBy());
            insert.executeUpdate();
        } catch (SQLException failure) {
            throw new IllegalStateException("cannot store key " + key.id() + ": " + failure.getMessage(), failure);
        }
    }

    /** @return whether a key with that id existed */
    public boolean delete(String id) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement("DELETE FROM api_keys WHERE id = ?")) {
            delete.setString(1, id);
            return delete.executeUpdate() > 0;
        } catch (SQLException failure) {
            throw new IllegalStateException("cannot delete key " + id + ": " + failure.getMessage(), failure);
        }
    }

    /** Every key, oldest first. */
    public List<StoredKey> all() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT id, key_hash, role, tenant, created_at,"
                     + " created_by FROM api_keys ORDER BY created_at, id");
             ResultSet rows = select.executeQuery()) {
            List<StoredKey> keys = new ArrayList<>();
            while (rows.next()) {
                keys.add(new StoredKey(rows.getString(1), rows.getString(2), Role.parse(rows.getString(3)),
                        rows.getString(4), Instant.ofEpochMilli(rows.getLong(5)), rows.getString(6)));
            }
            return keys;
        } catch (SQLException failure) {
            throw new IllegalStateException("cannot read the keys: " + failure.getMessage(), failure);
        }
    }
}
