package dev.torpor.router.model;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Stores each model's explicit config document in the shared database (table {@code model_configs}), so
 * every router that shares the database sees the same configs.
 */
public final class ModelConfigRepository {
    private final DataSource dataSource;
    private final Clock clock;

    public ModelConfigRepository(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    public Optional<ModelConfigDocument> find(String model) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT document FROM model_configs WHERE model = ?")) {
            select.setString(1, model);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(ModelConfigDocument.fromStored(row.getString(1))) : Optional.empty();
            }
        } catch (SQLException failure) {
            throw new IllegalStateException("cannot read the config of model " + model + ": " + failure.getMessage(),
                    failure);
        }
    }

    public void save(String model, ModelConfigDocument document) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement upsert = connection.prepareStatement(
                     "INSERT INTO model_configs (model, document, updated_at) VALUES (?, ?, ?) "
                             + "ON CONFLICT (model) DO UPDATE SET document = excluded.document, "
                             + "updated_at = excluded.updated_at")) {
            upsert.setString(1, model);
            upsert.setString(2, document.toStored());
            upsert.setLong(3, clock.millis());
            upsert.executeUpdate();
        } catch (SQLException failure) {
            throw new IllegalStateException("cannot save the config of model " + model + ": " + failure.getMessage(),
                    failure);
        }
    }

    public void delete(String model) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement("DELETE FROM model_configs WHERE model = ?")) {
            delete.setString(1, model);
            delete.executeUpdate();
        } catch (SQLException failure) {
            throw new IllegalStateException("cannot delete the config of model " + model + ": " + failure.getMessage(),
                    failure);
        }
    }
}
