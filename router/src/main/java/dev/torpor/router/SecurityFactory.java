package dev.torpor.router;

import dev.torpor.router.auth.ApiKeys;
import dev.torpor.router.auth.AuditLog;
import dev.torpor.router.auth.KeyRepository;
import dev.torpor.router.auth.KeyRing;
import dev.torpor.router.auth.ModelAccess;
import dev.torpor.router.db.Database;
import dev.torpor.router.model.ModelCatalog;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Wires keys, the key ring and the audit log. */
@Factory
public class SecurityFactory {

    @Singleton
    ModelAccess modelAccess(ModelCatalog catalog) {
        return new ModelAccess(catalog);
    }

    @Singleton
    KeyRing keyRing() {
        return new KeyRing();
    }

    @Singleton
    AuditLog auditLog(Database database, Clock clock) {
        return new AuditLog(database.dataSource(), clock);
    }

    @Singleton
    ApiKeys apiKeys(Database database, KeyRing ring, AuditLog audit, Clock clock) {
        return new ApiKeys(new KeyRepository(database.dataSource()), ring, audit, clock);
    }
}
