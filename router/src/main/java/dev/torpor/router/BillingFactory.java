package dev.torpor.router;

import dev.torpor.router.billing.BillingRetention;
import dev.torpor.router.billing.InstanceUsage;
import dev.torpor.router.billing.Reconciler;
import dev.torpor.router.billing.BillingSettings;
import dev.torpor.router.billing.InstanceTimeBiller;
import dev.torpor.router.billing.Ledger;
import dev.torpor.router.billing.RecordIds;
import dev.torpor.router.billing.PriceDocument;
import dev.torpor.router.billing.PriceTable;
import dev.torpor.router.billing.Prices;
import dev.torpor.router.db.Database;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;

/**
 * Wires billing's parts that are not on the request path of {@link TorporFactory}: its settings, the price table,
 * provisioned-capacity billing, retention and reconciliation. Kept apart so billing changes do not touch the
 * factory others edit.
 */
@Factory
public class BillingFactory {

    @Singleton
    BillingSettings billingSettings(@Value("${torpor.billing.currency:USD}") String currency,
                                    @Value("${torpor.billing.price-per-request:0}") String perRequest,
                                    @Value("${torpor.billing.price-per-gb-second:0}") String perGbSecond,
                                    @Value("${torpor.billing.price-per-gpu-second:0}") String perGpuSecond,
                                    @Value("${torpor.billing.granularity-ms:1}") int granularityMs,
                                    @Value("${torpor.billing.bill-cold-start:false}") boolean billColdStart,
                                    @Value("${torpor.billing.instance-time-interval-seconds:60}") long intervalSeconds,
                                    @Value("${torpor.billing.retention-days:0}") long retentionDays,
                                    @Value("${torpor.billing.ledger:on}") String ledger) {
        Prices defaults = new Prices(1, currency.trim(),
                PriceDocument.nanos("TORPOR_PRICE_PER_REQUEST", new BigDecimal(perRequest.trim())),
                PriceDocument.nanos("TORPOR_PRICE_PER_GB_SECOND", new BigDecimal(perGbSecond.trim())),
                PriceDocument.nanos("TORPOR_PRICE_PER_GPU_SECOND", new BigDecimal(perGpuSecond.trim())),
                granularityMs, billColdStart);
        if (!ledger.equals("on") && !ledger.equals("off")) {
            throw new IllegalArgumentException("TORPOR_BILLING_LEDGER must be on or off, was " + ledger);
        }
        return new BillingSettings(defaults, Duration.ofSeconds(intervalSeconds),
                retentionDays <= 0 ? null : Duration.ofDays(retentionDays), ledger.equals("on"));
    }

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
