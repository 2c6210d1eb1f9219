package dev.torpor.router.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {
    @TempDir
    Path dir;

    @Test
    void migratesAFreshFileAndReopeningIsIdempotent() throws Exception {
        Path dataDir = dir.resolve("nested/data");
        try (Database db = Database.inDataDir(dataDir)) {
            assertThat(dataDir.resolve("torpor.db")).exists();
            assertThat(columns(db, "billing_records")).startsWith("seq", "id", "kind", "started_at")
                    .contains("cost_nanos", "price_version").hasSize(24);
            assertThat(appliedMigrations(db)).startsWith("1", "2");
            exec(db, "INSERT INTO billing_records (id, kind, started_at, tenant, owner, model, version, cold_start,"
                    + " queue_us, init_us, compute_us, billed_ms, memory_mb, gpu_us, status, http_status,"
                    + " request_bytes, response_bytes, cost_nanos, currency, price_version)"
                    + " VALUES ('a', 'request', 0, 't', 'o', 'm', '1', 0, 0, 0, 0, 0, 0, 0, 'ok', 200, 0, 0, 0, 'USD', 1)");
        }
        try (Database again = new Database(Database.sqliteUrl(dataDir))) {
            assertThat(appliedMigrations(again)).startsWith("1", "2");
            assertThat(count(again, "SELECT COUNT(*) FROM billing_records")).isEqualTo(1);
        }
    }

    @Test
    void sqliteConnectionsUseWalFullSyncBusyTimeoutAndForeignKeys() throws Exception {
        try (Database db = Database.inDataDir(dir)) {
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
                assertThat(pragma(s, "journal_mode")).isEqualToIgnoringCase("wal");
                assertThat(pragma(s, "synchronous")).isEqualTo("2"); // FULL
                assertThat(pragma(s, "busy_timeout")).isEqualTo("5000");
                assertThat(pragma(s, "foreign_keys")).isEqualTo("1");
            }
        }
    }

    @Test
    void indexesServeTheFilters() throws Exception {
        try (Database db = Database.inDataDir(dir)) {
            List<String> indexes = new ArrayList<>();
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'index'"
                         + " AND tbl_name = 'billing_records' AND name NOT LIKE 'sqlite_autoindex%'")) {
                while (rs.next()) {
                    indexes.add(rs.getString(1));
                }
            }
            assertThat(indexes).containsExactlyInAnyOrder(
                    "billing_records_started_at", "billing_records_tenant_seq", "billing_records_model_seq",
                    "billing_records_instance");
        }
    }

    @Test
    void isUsableUntilClosed() {
        Database db = Database.inDataDir(dir);
        assertThat(db.isUsable()).isTrue();
        db.close();
        assertThat(db.isUsable()).isFalse();
    }

    @Test
    void rejectsAnUnsupportedUrlWithoutEchoingCredentials() {
        assertThatThrownBy(() -> new Database("jdbc:mysql://db/torpor?user=u&password=secret"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jdbc:mysql")
                .hasMessageContaining("jdbc:postgresql:")
                .hasMessageNotContaining("secret");
    }

    private static List<String> columns(Database db, String table) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (rs.next()) {
                names.add(rs.getString("name"));
            }
        }
        return names;
    }

    private static List<String> appliedMigrations(Database db) throws SQLException {
        List<String> versions = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version FROM flyway_schema_history WHERE success = 1"
                     + " AND version IS NOT NULL ORDER BY installed_rank")) {
            while (rs.next()) {
                versions.add(rs.getString(1));
            }
        }
        return versions;
    }

    private static long count(Database db, String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void exec(Database db, String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate(sql);
        }
    }

    private static String pragma(Statement s, String name) throws SQLException {
        try (ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
