package dev.torpor.router.db;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.sqlite.SQLiteConfig;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.sqlite.SQLiteDataSource;

/**
 * The one database that holds the ledger and all control state (see DESIGN.md, "State has two homes").
 *
 * <p>Construction creates the {@link DataSource} for a JDBC URL and brings the schema up to date by running the
 * Flyway migrations in {@code classpath:db/migration}; a database that cannot be migrated fails construction.
 * Only {@link #createDataSource} knows the dialect: today {@code jdbc:sqlite:}; PostgreSQL (with a pool, and the
 * {@code flyway-database-postgresql} module) is a later issue.
 *
 * <p>SQLite connections are opened with WAL journaling (readers never block the writer), {@code synchronous=FULL}
 * (a committed billing record survives a power cut, not only a process crash), a 5 s busy timeout (a second writer
 * waits rather than failing at once) and foreign keys on. Connections come from a small HikariCP pool; callers close
 * (return) what they take.
 *
 * <p>Thread-safe: the data source may be shared by any number of threads.
 */
public final class Database implements AutoCloseable {
    /** Where the migrations live on the classpath. */
    public static final String MIGRATIONS = "classpath:db/migration";

    private static final String SQLITE_PREFIX = "jdbc:sqlite:";
    private static final int BUSY_TIMEOUT_MS = 5000;
    private static final int USABLE_TIMEOUT_SECONDS = 2;
    /** SQLite has one writer at a time; a few connections serve the ledger writer and the readers. */
    private static final int POOL_SIZE = 4;

    private final String jdbcUrl;
    private final DataSource dataSource;
    private volatile boolean closed;

    /**
     * Opens the database at {@code jdbcUrl} and migrates it.
     *
     * @throws IllegalArgumentException for a URL of a database Torpor does not support yet
     * @throws org.flywaydb.core.api.FlywayException when the schema cannot be migrated
     */
    public Database(String jdbcUrl) {
        this.jdbcUrl = Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        this.dataSource = createDataSource(jdbcUrl);
        migrate(dataSource);
    }

    /**
     * The default database: a SQLite file {@code torpor.db} in {@code dataDir}, which is created if missing
     * (SQLite creates the file, not its directory).
     */
    public static Database inDataDir(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + dataDir, e);
        }
        return new Database(sqliteUrl(dataDir));
    }

    /** The JDBC URL of the default SQLite file in {@code dataDir}. */
    public static String sqliteUrl(Path dataDir) {
        return SQLITE_PREFIX + dataDir.resolve("torpor.db").toAbsolutePath();
    }

    /** The only dialect-specific step: how to connect. Everything else is plain JDBC and Flyway. */
    private static DataSource createDataSource(String jdbcUrl) {
        if (jdbcUrl.startsWith(SQLITE_PREFIX)) {
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
            config.setBusyTimeout(BUSY_TIMEOUT_MS);
            config.enforceForeignKeys(true);
            SQLiteDataSource sqlite = new SQLiteDataSource(config);
            sqlite.setUrl(jdbcUrl);
            // A pool, because opening a SQLite connection (and applying its pragmas) costs about a millisecond
            // of CPU, which every request's billing commit would otherwise pay.
            HikariConfig pool = new HikariConfig();
            pool.setDataSource(sqlite);
            pool.setPoolName("torpor-db");
            pool.setMaximumPoolSize(POOL_SIZE);
            pool.setMinimumIdle(1);
            return new HikariDataSource(pool);
        }
        // Redact everything after the scheme: a PostgreSQL URL may carry a password.
        int colon = jdbcUrl.indexOf(':', "jdbc:".length());
        String scheme = colon < 0 ? "?" : jdbcUrl.substring(0, colon);
        throw new IllegalArgumentException("unsupported database URL scheme " + scheme + " (supported: jdbc:sqlite:)");
    }

    private static void migrate(DataSource dataSource) {
        Flyway.configure(Database.class.getClassLoader())
                .dataSource(dataSource)
                .locations(MIGRATIONS)
                // A jar built without its migrations must not start against an empty schema.
                .failOnMissingLocations(true)
                .load()
                .migrate();
    }

    /** The shared data source; every connection taken from it must be closed by the taker. */
    public DataSource dataSource() {
        return dataSource;
    }

    /** The JDBC URL this database was opened with (may carry credentials: do not log it). */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /**
     * Whether the database answers {@code SELECT 1} within about two seconds; for the readiness endpoint.
     * Never throws. False after {@link #close()}.
     */
    public boolean isUsable() {
        if (closed) {
            return false;
        }
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.setQueryTimeout(USABLE_TIMEOUT_SECONDS);
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                return rs.next() && rs.getInt(1) == 1;
            }
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Marks the database closed and releases the data source if it holds resources (a pool, later). SQLite's data
     * source holds none: connections still open elsewhere stay usable until their owners close them, so close the
     * ledger before the database.
     */
    @Override
    public void close() {
        closed = true;
        if (dataSource instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the database failed", e);
            }
        }
    }
}
