package dev.torpor.pool.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The pods this router created in this life, each with its {@link PodTracker}: {@link #create} makes one through the
 * API and gives it up (deleting it) if it is not Ready within the start timeout; {@link #events()} is the informer's
 * handler that keeps the trackers current (pods the router did not create here are ignored, and a pod that ends is
 * deleted, so a Failed pod is not left behind). Deletions never throw: a refusal is logged. Thread-safe.
 */
final class RouterPods {
    private static final System.Logger LOG = System.getLogger(RouterPods.class.getName());

    private final PodApi api;
    private final Duration startTimeout;
    private final ScheduledExecutorService timer;
    private final Executor worker;
    private final Map<String, PodTracker> trackers = new ConcurrentHashMap<>();

    /**
     * @param timer  gives up on pods not Ready in time
     * @param worker deletes ended pods (an API call) off the informer's thread
     */
    RouterPods(PodApi api, Duration startTimeout, ScheduledExecutorService timer, Executor worker) {
        this.api = api;
        this.startTimeout = startTimeout;
        this.timer = timer;
        this.worker = worker;
    }

    /**
     * Creates the pod and tracks it: the informer's events reach it, and it is given up on (and deleted) if not Ready
     * within the start timeout.
     *
     * @param token the pod's {@code TORPOR_FUNCTION_TOKEN}
     * @throws PodApi.Refused when the API server refuses the pod
     */
    PodTracker create(Pod pod, String token) {
        String name = pod.getMetadata().getName();
        PodTracker tracker = new PodTracker(name, token, pod);
        trackers.put(name, tracker);
        try {
            api.create(pod);
        } catch (RuntimeException refused) {
            trackers.remove(name);
            throw refused;
        }
        timer.schedule(() -> {
            if (!tracker.isReady() && !tracker.hasEnded()) {
                tracker.giveUp("pod " + name + " not Ready after " + startTimeout.toSeconds() + " s: "
                        + tracker.describe());
                deleteQuietly(name);
            }
        }, startTimeout.toMillis(), TimeUnit.MILLISECONDS);
        return tracker;
    }

    /** The pods that have not ended, oldest first. */
    List<PodTracker> live() {
        return trackers.values().stream().filter(tracker -> !tracker.hasEnded())
                .sorted(Comparator.comparingLong(tracker -> -tracker.ageNanos())).toList();
    }

    /** Deletes the pod; a pod already gone is fine, a refusal is logged. */
    void deleteQuietly(String name) {
        try {
            api.delete(name);
        } catch (RuntimeException refused) {
            LOG.log(System.Logger.Level.WARNING, "could not delete function pod {0}: {1}", name, refused.getMessage());
        }
    }

    /** Deletes every pod carrying {@code labels} (all of a router's); a refusal is logged. */
    void deleteAllQuietly(Map<String, String> labels) {
        try {
            api.deleteAll(labels);
        } catch (RuntimeException refused) {
            LOG.log(System.Logger.Level.WARNING, "could not delete the function pods labelled {0}: {1}", labels,
                    refused.getMessage());
        }
    }

    /** The informer's handler: events passed to the pods' trackers. */
    ResourceEventHandler<Pod> events() {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                observe(pod);
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
                observe(after);
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                PodTracker tracker = trackers.remove(pod.getMetadata().getName());
                if (tracker != null) {
                    tracker.deleted();
                }
            }
        };
    }

    private void observe(Pod pod) {
        PodTracker tracker = trackers.get(pod.getMetadata().getName());
        if (tracker != null) {
            tracker.observe(pod);
            if (tracker.hasEnded()) {
                worker.execute(() -> deleteQuietly(tracker.name())); // a Failed pod is not left behind
            }
        }
    }
}
