package dev.torpor.pool.k8s;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The bookkeeping of the model-less pods kept for cold starts: exactly {@code size} warm pods exist (Ready or
 * starting). {@link #claim} hands out the oldest Ready one that the caller manages to relabel (the caller's claim
 * may lose a resourceVersion race: then the next is tried); {@link #refill} creates pods up to the size. As the
 * process launcher's pool does, the replacement of a claimed pod is created when the cold start is over (the caller
 * calls {@link #refill}), not during it. A warm pod that ends is forgotten and replaced after a delay that doubles
 * while warm pods keep failing (a cluster that cannot schedule or pull them is not flooded), and resets when one
 * turns Ready.
 *
 * <p>Thread-safe.
 */
final class WarmPods {
    private static final System.Logger LOG = System.getLogger(WarmPods.class.getName());
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration LAST_RETRY = Duration.ofSeconds(60);

    private final int size;
    private final Supplier<PodTracker> creator;
    private final ScheduledExecutorService timer;
    private final Executor worker;
    private final Map<String, PodTracker> pods = new LinkedHashMap<>();
    private Duration retry = FIRST_RETRY;
    private boolean refillScheduled;
    private boolean closed;

    /**
     * @param creator creates one warm pod and returns its tracker (blocking; throws when the API refuses)
     * @param timer   delays refills
     * @param worker  runs delayed refills (they call the API)
     */
    WarmPods(int size, Supplier<PodTracker> creator, ScheduledExecutorService timer, Executor worker) {
        this.size = size;
        this.creator = creator;
        this.timer = timer;
        this.worker = worker;
    }

    /**
     * The oldest Ready warm pod that {@code claimer} relabels (it returns false when the pod changed under it), taken
     * out of the warm pods; empty when none is Ready or every claim lost. Not refilled here.
     */
    Optional<PodTracker> claim(Function<PodTracker, Boolean> claimer) {
        List<PodTracker> candidates;
        synchronized (this) {
            // Prepared pods first (connected, models staged), then Ready ones; oldest first within each.
            candidates = java.util.stream.Stream.concat(
                    pods.values().stream().filter(PodTracker::isPrepared),
                    pods.values().stream().filter(pod -> pod.isReady() && !pod.isPrepared()))
                    .filter(pod -> !pod.hasEnded()).toList();
            candidates.forEach(pod -> pods.remove(pod.name())); // no other taker tries them meanwhile
        }
        Optional<PodTracker> claimed = Optional.empty();
        List<PodTracker> unclaimed = new ArrayList<>();
        for (PodTracker candidate : candidates) {
            if (claimed.isEmpty() && claimer.apply(candidate)) {
                claimed = Optional.of(candidate);
            } else {
                unclaimed.add(candidate);
            }
        }
        synchronized (this) {
            // Those not needed, or that lost a race to a change (their next event will say), go back.
            unclaimed.stream().filter(pod -> !pod.hasEnded()).forEach(pod -> pods.put(pod.name(), pod));
        }
        return claimed;
    }

    /** Warm pods Ready now. */
    synchronized int readyCount() {
        return (int) pods.values().stream().filter(PodTracker::isReady).count();
    }

    /** Warm pods connected and staged now. */
    synchronized int preparedCount() {
        return (int) pods.values().stream().filter(PodTracker::isPrepared).count();
    }

    /** Warm pods that exist now, Ready or starting. */
    synchronized int count() {
        return pods.size();
    }

    /** Creates warm pods until there are {@code size}; a refusal is logged, and retried later. */
    void refill() {
        while (true) {
            synchronized (this) {
                if (closed || pods.size() >= size) {
                    return;
                }
            }
            PodTracker created;
            try {
                created = creator.get();
            } catch (RuntimeException refused) {
                LOG.log(System.Logger.Level.WARNING, "could not create a warm function pod: {0}", refused.getMessage());
                retryLater();
                return;
            }
            synchronized (this) {
                pods.put(created.name(), created);
            }
            created.ready().thenRun(this::backOffReset);
            created.ended().thenRun(() -> ended(created));
        }
    }

    private void ended(PodTracker pod) {
        boolean wasWarm;
        synchronized (this) {
            wasWarm = pods.remove(pod.name()) != null;
        }
        if (wasWarm) {
            LOG.log(System.Logger.Level.WARNING, "warm function pod {0} is gone ({1}); replacing it",
                    pod.name(), pod.ended().getNow("ended"));
            retryLater();
        }
    }

    private synchronized void backOffReset() {
        retry = FIRST_RETRY;
    }

    private void retryLater() {
        Duration delay;
        synchronized (this) {
            if (closed || refillScheduled) {
                return;
            }
            refillScheduled = true;
            delay = retry;
            retry = retry.multipliedBy(2).compareTo(LAST_RETRY) > 0 ? LAST_RETRY : retry.multipliedBy(2);
        }
        timer.schedule(() -> worker.execute(() -> {
            synchronized (this) {
                refillScheduled = false;
            }
            refill();
        }), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    synchronized void close() {
        closed = true;
        pods.clear();
    }
}
