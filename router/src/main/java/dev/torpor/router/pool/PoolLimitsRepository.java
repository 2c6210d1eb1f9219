package dev.torpor.router.pool;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;
import javax.sql.DataSource;

/** Stores the operators' pool limits in the shared database (table {@code pool_limits}, one row). */
public final class PoolLimitsRepository {
    private final DataSource dataSource;
    private final Clock clock;

    public PoolLimitsRepository(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    public Optional<PoolLimitsDocument> find() {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("SELECT document FROM pool_limits WHERE id = 1");
             ResultSet row = select.executeQuery()) {
            return row.next() ? Optional.of(PoolLimitsDocument.fromStored(row.getString(1))) : Optional.empty();
        } catch (SQLException failure) {
            throw new IllegalStateException("cannot read the pool limits: " + failure.getMessage(), failure);
        }
    }

    public void save(PoolLimitsDocument document) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement upsert = connection.prepareStatement(
                     "INSERT INTO pool_limits (id, document, updated_at) VALUES (1, ?, ?) "
                             + "ON CONFLICT (id) DO UPDATE SET document = excluded.document, updated_at = excluded.updated_at")) {
            upsert.setString(1, document.toStored());
            upsert.setLong(2, clock.millis());
            upsert.executeUpdate();
        } catch (SQLException failure) {
            throw new IllegalStateException("cannot save the pool limits: " + failure.getMessage(), failure);
        }
    }
}
