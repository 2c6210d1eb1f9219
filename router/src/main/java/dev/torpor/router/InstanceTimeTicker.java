package dev.torpor.router;

import dev.torpor.function.InstanceState;
import dev.torpor.router.activation.Activator;
import dev.torpor.router.activation.InstanceView;
import dev.torpor.router.billing.BillingRetention;
import dev.torpor.router.billing.InstanceTimeBiller;
import dev.torpor.router.billing.InstanceUsage;
import dev.torpor.router.billing.LiveUsage;
import dev.torpor.router.billing.InstanceTimeBiller.Provisioned;
import dev.torpor.router.billing.Ledger;
import dev.torpor.router.model.ModelCatalog;
import dev.torpor.store.ModelManifest;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Billing's housekeeping thread. Once a second, keeps every live instance's own counters ({@link InstanceUsage})
 * for the reconciliation. Once an hour, purges records past the retention period ({@link BillingRetention}).
 * Once a second, tells the {@link InstanceTimeBiller} which instances are provisioned capacity: per model version,
 * up to the model's {@code minInstances} READY instances (the longest-running first); instances the autoscaler
 * added above that are paid for by their requests. On shutdown it closes every open span before the ledger (injected
 * here, so created before and closed after this bean) flushes.
 */
@Context
public class InstanceTimeTicker {
    private static final Logger LOG = LoggerFactory.getLogger(InstanceTimeTicker.class);

    private final InstanceTimeBiller biller;
    private final InstanceUsage usage;
    private final Activator activator;
    private final ModelCatalog catalog;
    private final Clock clock;
    private final ScheduledExecutorService timer = DaemonTimer.named("instance-time-ticker");

    InstanceTimeTicker(InstanceTimeBiller biller, Activator activator, ModelCatalog catalog, Clock clock,
                       Ledger ledger, BillingRetention retention, InstanceUsage usage) {
        this.usage = usage;
        // An instance's final counters are kept when it stops, for billing's reconciliation.
        activator.onInstanceStopped(view -> usage.stopped(LiveUsage.sample(view), clock.instant()));
        timer.scheduleWithFixedDelay(() -> {
            try {
                long deleted = retention.purge(clock.instant());
                if (deleted > 0) {
                    LOG.info("billing retention: deleted {} records past the retention period", deleted);
                }
            } catch (RuntimeException failed) {
                LOG.error("billing retention purge failed", failed);
            }
        }, 1, 60, TimeUnit.MINUTES);
        this.biller = biller;
        this.activator = activator;
        this.catalog = catalog;
        this.clock = clock;
        timer.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    private void tick() {
        try {
            biller.tick(clock.instant(), provisioned());
        } catch (RuntimeException unexpected) {
            LOG.error("instance_time billing tick failed", unexpected);
        }
        try {
            usage.refresh(LiveUsage.of(activator), clock.instant());
        } catch (RuntimeException unexpected) {
            LOG.error("instance usage refresh failed", unexpected);
        }
    }

    private List<Provisioned> provisioned() {
        Map<String, List<InstanceView>> byVersion = new LinkedHashMap<>();
        for (InstanceView i : activator.allInstances()) {
            if (i.state() == InstanceState.READY) {
                byVersion.computeIfAbsent(i.model() + "\u0000" + i.version(), k -> new ArrayList<>()).add(i);
            }
        }
        List<Provisioned> out = new ArrayList<>();
        for (List<InstanceView> instances : byVersion.values()) {
            InstanceView first = instances.get(0);
            int min;
            ModelManifest manifest;
            try {
                min = catalog.configs().effective(first.model()).minInstances();
                manifest = catalog.resolve(first.model(), first.version());
            } catch (RuntimeException deleted) {
                continue; // the model went away; its instances are stopping
            }
            if (min < 1) {
                continue;
            }
            int memoryMb = (int) catalog.policy(manifest).memoryMb();
            instances.stream().sorted(Comparator.comparing(InstanceView::startedAt)).limit(min)
                    .forEach(i -> out.add(new Provisioned(i.id(), i.model(), i.version(), manifest.owner(),
                            i.device(), memoryMb)));
        }
        return out;
    }

    @PreDestroy
    void close() {
        timer.shutdownNow();
        biller.closeAll(clock.instant());
    }
}
