package dev.torpor.router.billing;

import dev.torpor.router.db.TestPostgres;
import java.nio.file.Path;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/** {@link BillingQueryTest}, every test, against a real PostgreSQL (Testcontainers; fails without Docker, see TestPostgres). */
@DisabledIfSystemProperty(named = "torpor.test.postgres", matches = "skip")
class PostgresBillingQueryTest extends BillingQueryTest {
    @Override
    String databaseUrl(Path dir) {
        return TestPostgres.freshUrl();
    }
}
