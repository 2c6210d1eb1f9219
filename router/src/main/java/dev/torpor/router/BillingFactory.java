package dev.torpor.router;

import dev.torpor.router.billing.BillingRetention;
import dev.torpor.router.billing.InstanceUsage;
import dev.torpor.router.billing.Reconciler;
import dev.torpor.router.billing.BillingSettings;
import dev.torpor.router.billing.InstanceTimeBiller;
import dev.torpor.router.billing.Ledger;
import dev.torpor.router.billing.RecordIds;
import dev.torpor.router.billing.PriceTable;
import dev.torpor.router.db.Database;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * Wires billing's parts that are not on the request path of {@link TorporFactory}: the price table,
 * provisioned-capacity billing, retention and reconciliation. Kept apart so billing changes do not touch the
 * factory others edit.
 */
@Factory
public class BillingFactory {

    @Singleton
    InstanceTimeBiller instanceTimeBiller(Ledger ledger, PriceTable prices, Clock clock, BillingSettings billing) {
        return new InstanceTimeBiller(ledger, prices::current, new RecordIds(clock), billing.instanceTimeInterval());
    }

    @Singleton
    BillingRetention billingRetention(Database database, BillingSettings billing) {
        return new BillingRetention(database.dataSource(), billing.retention());
    }

    /** The price table; {@link BillingSettings#defaultPrices} seeds version 1 on an empty table. */
    @Singleton
    PriceTable priceTable(Database database, Clock clock, BillingSettings billing) {
        return new PriceTable(database.dataSource(), clock, billing.defaultPrices());
    }

    @Singleton
    InstanceUsage instanceUsage(Database database) {
        return new InstanceUsage(database.dataSource());
    }

    @Singleton
    Reconciler reconciler(Database database) {
        return new Reconciler(database.dataSource());
    }
}
