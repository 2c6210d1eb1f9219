package dev.torpor.router.activation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A model version's demand over time: the time-weighted average of (requests queued + requests running),
 * measured exactly between changes and kept as one bucket per autoscaler tick, for as long as the stable
 * window. Queue wait counts as demand, so a cold model's waiting burst is seen. Not thread-safe: guarded by
 * the activator's lock.
 */
final class ConcurrencyWindow {
    private record Bucket(Instant end, double average) {
    }

    private final Deque<Bucket> buckets = new ArrayDeque<>();
    private Instant since;
    private Instant lastChange;
    private int current;
    private double area; // concurrency × nanoseconds since {@code since}

    /** Records that demand is now {@code demand}; call whenever it may have changed. */
    void observe(int demand, Instant now) {
        accrue(now);
        current = demand;
    }

    private void accrue(Instant now) {
        if (lastChange == null) {
            since = now;
            lastChange = now;
            return;
        }
        if (now.isAfter(lastChange)) {
            area += (double) current * Duration.between(lastChange, now).toNanos();
            lastChange = now;
        }
    }

    /** Closes the current bucket at {@code now} and forgets buckets older than {@code keep}. */
    void tick(Instant now, Duration keep) {
        accrue(now);
        long span = Duration.between(since, now).toNanos();
        buckets.addLast(new Bucket(now, span > 0 ? area / span : current));
        area = 0;
        since = now;
        Instant horizon = now.minus(keep);
        while (!buckets.isEmpty() && !buckets.peekFirst().end().isAfter(horizon)) {
            buckets.removeFirst();
        }
    }

    /** The average demand over the buckets that ended within {@code window} of {@code now} (0 with none). */
    double average(Instant now, Duration window) {
        Instant horizon = now.minus(window);
        double sum = 0;
        int count = 0;
        for (Bucket bucket : buckets) {
            if (bucket.end().isAfter(horizon)) {
                sum += bucket.average();
                count++;
            }
        }
        return count == 0 ? 0 : sum / count;
    }
}
