package dev.torpor.router;

import dev.torpor.router.activation.Activator;
import dev.torpor.router.activation.Autoscaler;
import dev.torpor.router.activation.Reaper;
import dev.torpor.router.billing.Ledger;
import dev.torpor.router.model.WarmInstances;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives the activator's time-based work on one thread: request deadlines every few milliseconds, the
 * autoscaler every scaling tick, and the reaper whenever it said it is next due. On shutdown it drains the activator before the ledger (injected
 * here so that it is created before, and closed after, this bean) flushes.
 */
@Context
public class ActivationTicker {
    /** Deadline granularity: a 504 arrives at most this late. */
    static final long TICK_MILLIS = 10;
    private static final Logger LOG = LoggerFactory.getLogger(ActivationTicker.class);

    private final Activator activator;
    private final Reaper reaper;
    private final Clock clock;
    private final TorporSettings settings;
    private final ScheduledExecutorService timer = DaemonTimer.named("activation-ticker");
    private final Autoscaler autoscaler;
    private volatile Instant reaperDue = Instant.MIN;
    private volatile Instant scaleDue = Instant.MIN;

    ActivationTicker(Activator activator, Reaper reaper, Autoscaler autoscaler, Clock clock, TorporSettings settings,
                     Ledger ledger, WarmInstances warm) {
        this.activator = activator;
        this.autoscaler = autoscaler;
        this.reaper = reaper;
        this.clock = clock;
        this.settings = settings;
        timer.scheduleWithFixedDelay(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        LOG.info("Torpor is serving models from {} (database {})", settings.modelsDir(), redact(settings.dbUrl()));
        warm.wakeAll();
    }

    private void tick() {
        try {
            Instant now = clock.instant();
            activator.expireOverdue(now);
            if (!now.isBefore(scaleDue)) {
                autoscaler.tick(now);
                scaleDue = now.plus(autoscaler.settings().tick());
            }
            if (!now.isBefore(reaperDue)) {
                reaperDue = reaper.sweep(now);
            }
        } catch (RuntimeException unexpected) {
            LOG.error("activation tick failed", unexpected);
        }
    }

    @PreDestroy
    void drain() {
        LOG.info("draining: waiting up to {} s for queued and running requests", settings.shutdownGrace().toSeconds());
        timer.shutdownNow();
        activator.shutdown(settings.shutdownGrace());
        LOG.info("all function instances stopped");
    }

    private static String redact(String jdbcUrl) {
        return jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }
}
