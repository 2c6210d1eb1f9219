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
 * Two vendors ({@link Vendor}): {@code jdbc:sqlite:} (the default, one router) and {@code jdbc:postgresql:} (several
 * routers sharing one database), each with its own migrations folder holding the same versions.
 *
 * <p>SQLite connections are opened with WAL journaling (readers never block the writer), {@code synchronous=FULL}
 * (a committed billing record survives a power cut, not only a process crash), a 5 s busy timeout (a second writer
 * waits rather than failing at once) and foreign keys on. Connections come from a small HikariCP pool; callers close
 * (return) what they take.
 *
 * <p>Thread-safe: the data source may be shared by any number of threads.
 */
public final class Database implements AutoCloseable {
    /**
     * Where the migrations live on the classpath: one folder per vendor ({@code sqlite/}, {@code postgresql/}),
     * with the same versions and the same tables, because SQLite's and PostgreSQL's DDL differ (an
     * {@code AUTOINCREMENT} key against an identity column, 64-bit {@code INTEGER} against {@code BIGINT}).
     * A new migration is written twice, with the same version number.
     */
    public static final String MIGRATIONS = "classpath:db/migration";

    /** The databases Torpor runs on. */
    public enum Vendor {
        /** The default: one router, a file in the data dir. */
        SQLITE("sqlite"),
        /** Several routers sharing one database. */
        POSTGRESQL("postgresql");

        private final String folder;

        Vendor(String folder) {
            this.folder = folder;
        }

        /** The Flyway location of this vendor's migrations. */
        public String migrations() {
            return MIGRATIONS + "/" + folder;
        }

        /** The vendor of a JDBC URL. @throws IllegalArgumentException for any other database (credentials redacted) */
        public static Vendor of(String jdbcUrl) {
            if (jdbcUrl.startsWith(SQLITE_PREFIX)) {
                return SQLITE;
            }
            if (jdbcUrl.startsWith(POSTGRESQL_PREFIX)) {
                return POSTGRESQL;
            }
            // Redact everything after the scheme: a URL may carry a password.
            int colon = jdbcUrl.indexOf(':', "jdbc:".length());
            String scheme = colon < 0 ? "?" : jdbcUrl.substring(0, colon);
            throw new IllegalArgumentException("unsupported database URL scheme " + scheme
                    + " (supported: jdbc:sqlite:, jdbc:postgresql:)");
        }
    }

    private static final String SQLITE_PREFIX = "jdbc:sqlite:";
    private static final String POSTGRESQL_PREFIX = "jdbc:postgresql:";
    /** Connections per router to a shared PostgreSQL: the ledger writer, readers and the control-state repositories. */
    private static final int POSTGRESQL_POOL_SIZE = 8;
    private static final int BUSY_TIMEOUT_MS = 5000;
    private static final int USABLE_TIMEOUT_SECONDS = 2;
    /** SQLite has one writer at a time; a few connections serve the ledger writer and the readers. */
    private static final int POOL_SIZE = 4;

    private final String jdbcUrl;
    private final Vendor vendor;
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
        this.vendor = Vendor.of(jdbcUrl);
        this.dataSource = createDataSource(jdbcUrl, vendor);
        try {
            migrate(dataSource, vendor);
        } catch (RuntimeException failed) {
            closeQuietly(dataSource);
            throw failed;
        }
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

    /**
     * How to connect, per vendor. Everything else is plain JDBC and Flyway, except the ledger's commit-order lock
     * on PostgreSQL (see {@code Ledger}) and the migrations' folder.
     */
    private static DataSource createDataSource(String jdbcUrl, Vendor vendor) {
        if (vendor == Vendor.POSTGRESQL) {
            HikariConfig pool = new HikariConfig();
            pool.setJdbcUrl(jdbcUrl); // user and password in the URL (?user=…&password=…) or PGUSER-style driver settings
            pool.setPoolName("torpor-db");
            pool.setMaximumPoolSize(POSTGRESQL_POOL_SIZE);
            pool.setMinimumIdle(1);
            // Fail start-up quickly, with the driver's reason, when the server is not there.
            pool.setInitializationFailTimeout(10_000);
            return new HikariDataSource(pool);
        }
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

    private static void migrate(DataSource dataSource, Vendor vendor) {
        Flyway.configure(Database.class.getClassLoader())
                .dataSource(dataSource)
                .locations(vendor.migrations())
                // A jar built without its migrations must not start against an empty schema.
                .failOnMissingLocations(true)
                .load()
                .migrate();
    }

    /** The shared data source; every connection taken from it must be closed by the taker. */
    public DataSource dataSource() {
        return dataSource;
    }

    /** Which database this is. */
    public Vendor vendor() {
        return vendor;
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

    private static void closeQuietly(DataSource dataSource) {
        if (dataSource instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // the migration's failure is the one to report
            }
        }
    }
}
