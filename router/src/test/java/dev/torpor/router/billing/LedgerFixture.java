package dev.torpor.router.billing;

import dev.torpor.router.db.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fresh database and ledger for each test of the billing suites. A SQLite file in a temp dir here; the
 * PostgreSQL subclasses override {@link #databaseUrl} to run the same tests against a real PostgreSQL.
 */
abstract class LedgerFixture {
    @TempDir
    Path dir;

    Database db;
    String url;
    Ledger ledger;

    /** The database a test runs on: a SQLite file in {@code dir} here; the PostgreSQL subclass gives a fresh one. */
    String databaseUrl(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Database.sqliteUrl(dir);
    }

    @BeforeEach
    void openLedger() {
        url = databaseUrl(dir);
        db = new Database(url);
        ledger = new Ledger(db.dataSource());
    }

    @AfterEach
    void closeLedger() {
        ledger.close();
        db.close();
    }
}
