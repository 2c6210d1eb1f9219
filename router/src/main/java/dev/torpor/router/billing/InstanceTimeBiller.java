package dev.torpor.router.billing;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Bills provisioned capacity: instances kept warm by {@code minInstances} are billed as {@code instance_time}
 * records — per instance (so per model and device), to the model's owner tenant, never counted as requests.
 *
 * <p>Each {@link #tick} is told which instances are provisioned now. A span opens the first time an instance is
 * seen, and closes (one record from its start to now) when it has lasted {@code interval} (≤ 60 s; a new span opens
 * at once), when the instance is no longer provisioned (stopped, or its model's {@code minInstances} lowered), and in
 * {@link #closeAll} (shutdown). A span is billed its length rounded up to the price table's granularity, at the
 * GB-second (CPU) or GPU-second price current when it closes; no per-request price. A crash loses at most the open
 * spans (≤ one interval per instance): records are only ever written for time that has passed.
 *
 * <p>Time comes from the caller (tests drive it by hand). Thread-safe (synchronized; called from one ticker).
 */
public final class InstanceTimeBiller {
    /** One provisioned instance, as the router sees it now. */
    public record Provisioned(String instanceId, String model, String version, String owner, String device,
                              int memoryMb) {
        public Provisioned {
            Objects.requireNonNull(instanceId, "instanceId");
        }
    }

    private record Span(Provisioned instance, Instant since) {
    }

    private final Ledger ledger;
    private final Supplier<Prices> prices;
    private final RecordIds ids;
    private final Duration interval;
    private final Map<String, Span> open = new LinkedHashMap<>();

    public InstanceTimeBiller(Ledger ledger, Supplier<Prices> prices, RecordIds ids, Duration interval) {
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.prices = Objects.requireNonNull(prices, "prices");
        this.ids = Objects.requireNonNull(ids, "ids");
        if (interval.isNegative() || interval.isZero() || interval.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("interval must be from 1 ms to 60 s");
        }
        this.interval = interval;
    }

    /** Opens, rolls over and closes spans for the instances provisioned at {@code now}. */
    public synchronized void tick(Instant now, Collection<Provisioned> provisioned) {
        Set<String> seen = new HashSet<>();
        for (Provisioned p : provisioned) {
            seen.add(p.instanceId());
            Span span = open.get(p.instanceId());
            if (span == null) {
                open.put(p.instanceId(), new Span(p, now));
            } else if (Duration.between(span.since(), now).compareTo(interval) >= 0) {
                bill(span, now);
                open.put(p.instanceId(), new Span(p, now));
            }
        }
        for (Iterator<Span> it = open.values().iterator(); it.hasNext(); ) {
            Span span = it.next();
            if (!seen.contains(span.instance().instanceId())) {
                bill(span, now);
                it.remove();
            }
        }
    }

    /** Closes every open span at {@code now} (shutdown). */
    public synchronized void closeAll(Instant now) {
        open.values().forEach(span -> bill(span, now));
        open.clear();
    }

    /** Spans open now (for tests and views). */
    public synchronized int openSpans() {
        return open.size();
    }

    private void bill(Span span, Instant end) {
        long micros = Duration.between(span.since(), end).toNanos() / 1000;
        if (micros <= 0) {
            return;
        }
        Prices price = prices.get();
        Provisioned p = span.instance();
        long billedMs = price.roundUpMicros(micros);
        boolean gpu = p.device() != null && p.device().startsWith("gpu:");
        ledger.append(new BillingRecord(ids.next(), RecordKind.INSTANCE_TIME, span.since(), p.owner(), p.owner(),
                p.model(), p.version(), p.instanceId(), p.device(), false, 0, 0, 0, billedMs, p.memoryMb(),
                gpu ? billedMs * 1000 : 0, BillingStatus.OK, 0, 0, 0,
                price.costNanos(false, p.device(), p.memoryMb(), billedMs), price.currency(), price.version()));
    }
}
