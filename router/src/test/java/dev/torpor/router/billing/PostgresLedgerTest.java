package dev.torpor.router.billing;

import dev.torpor.router.db.TestPostgres;
import java.nio.file.Path;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/** {@link LedgerTest}, every test, against a real PostgreSQL (Testcontainers; fails without Docker, see TestPostgres). */
@DisabledIfSystemProperty(named = "torpor.test.postgres", matches = "skip")
class PostgresLedgerTest extends LedgerTest {
    @Override
    String databaseUrl(Path dir) {
        return TestPostgres.freshUrl();
    }
}
