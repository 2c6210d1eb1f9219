package dev.torpor.pool.k8s;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the router knows of one of its function pods, from the informer's events (never from polling): {@link #ready()}
 * completes with the pod's IP once its {@code Ready} condition is {@code True}; {@link #ended()} completes with why
 * the pod is gone (container ended, evicted, deleted), and then {@code ready()} fails with it if it had not completed.
 * {@link #describe()} says where a pod that is not Ready is stuck: its failing conditions and containers, as a person
 * would want to read them in a 503. Thread-safe.
 */
final class PodTracker {
    private final String name;
    private final String token;
    private final long createdNanos;
    private final CompletableFuture<String> ready = new CompletableFuture<>();
    private final CompletableFuture<String> ended = new CompletableFuture<>();
    private volatile Pod latest;
    /** The router's connection to the pod, once dialed (a warm pod's as soon as it is Ready). */
    private final CompletableFuture<dev.torpor.pool.process.DialedHost> connection = new CompletableFuture<>();
    private volatile boolean staged;

    /**
     * @param token the pod's {@code TORPOR_FUNCTION_TOKEN}, kept only in the router's memory
     */
    PodTracker(String name, String token, Pod created) {
        this.name = name;
        this.token = token;
        this.latest = created;
        this.createdNanos = System.nanoTime();
    }

    String name() {
        return name;
    }

    String token() {
        return token;
    }

    Pod latest() {
        return latest;
    }

    /** Nanoseconds since the router created the pod. */
    long ageNanos() {
        return System.nanoTime() - createdNanos;
    }

    /** The pod's IP once it is Ready; fails with why when it ends first or is given up on ({@link #giveUp}). */
    CompletableFuture<String> ready() {
        return ready;
    }

    /** Why the pod is gone: its container ended, it was evicted, deleted, or given up on. */
    CompletableFuture<String> ended() {
        return ended;
    }

    boolean isReady() {
        return ready.isDone() && !ready.isCompletedExceptionally();
    }

    boolean hasEnded() {
        return ended.isDone();
    }

    /** The router's connection to the pod: completed once dialed, failed when the dial failed. */
    CompletableFuture<dev.torpor.pool.process.DialedHost> connection() {
        return connection;
    }

    /** A warm pod's connection is up and the models staged on it are sent: the cheapest pod to claim. */
    boolean isPrepared() {
        return staged && connection.isDone() && !connection.isCompletedExceptionally();
    }

    void staged() {
        staged = true;
    }

    /** A new state of the pod from the informer. */
    void observe(Pod pod) {
        latest = pod;
        PodStatus status = pod.getStatus();
        if (status == null) {
            return;
        }
        String phase = status.getPhase();
        if ("Failed".equals(phase) || "Succeeded".equals(phase)) {
            end(endedReason(pod));
            return;
        }
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            end("is being deleted");
            return;
        }
        if (isTrue(status, "Ready") && status.getPodIP() != null && !status.getPodIP().isBlank()) {
            ready.complete(status.getPodIP());
        }
    }

    /** The pod was deleted (by the router, or by anyone else). */
    void deleted() {
        end("was deleted");
    }

    /** The router gave up on the pod (not Ready in time): {@code why} is what its waiting requests see. */
    void giveUp(String why) {
        ready.completeExceptionally(new PodUnavailable(name, false, why));
        ended.complete(why);
    }

    private void end(String reason) {
        Pod pod = latest;
        boolean failed = pod != null && pod.getStatus() != null && "Failed".equals(pod.getStatus().getPhase());
        ready.completeExceptionally(new PodUnavailable(name, failed, "pod " + name + " " + reason
                + " before it was Ready"));
        ended.complete("pod " + name + " " + reason);
    }

    /** The pod's failing conditions and waiting or ended containers, e.g. {@code PodScheduled=False Unschedulable: …}. */
    String describe() {
        Pod pod = latest;
        PodStatus status = pod == null ? null : pod.getStatus();
        if (status == null) {
            return "no status yet (phase unknown: not scheduled)";
        }
        List<String> parts = new ArrayList<>();
        for (PodCondition condition : status.getConditions()) {
            if (!"True".equals(condition.getStatus())) {
                parts.add(condition.getType() + "=" + condition.getStatus()
                        + text(" ", condition.getReason()) + text(": ", condition.getMessage()));
            }
        }
        for (ContainerStatus container : status.getContainerStatuses()) {
            ContainerStateWaiting waiting = container.getState() == null ? null : container.getState().getWaiting();
            if (waiting != null) {
                parts.add("container " + container.getName() + " waiting" + text(" ", waiting.getReason())
                        + text(": ", waiting.getMessage()));
            }
        }
        if (parts.isEmpty()) {
            parts.add("phase " + status.getPhase() + (status.getPodIP() == null ? ", no pod IP" : ""));
        }
        return String.join("; ", parts);
    }

    /** How a pod that reached Failed or Succeeded ended: the container's reason and exit code, or the pod's. */
    static String endedReason(Pod pod) {
        PodStatus status = pod.getStatus();
        for (ContainerStatus container : status.getContainerStatuses()) {
            ContainerStateTerminated terminated = container.getState() == null ? null
                    : container.getState().getTerminated();
            if (terminated != null) {
                return "ended: " + (terminated.getReason() == null ? "container exited" : terminated.getReason())
                        + " (exit code " + terminated.getExitCode() + ")" + text(": ", terminated.getMessage());
            }
        }
        return "ended: " + status.getPhase() + text(" ", status.getReason()) + text(": ", status.getMessage());
    }

    private static boolean isTrue(PodStatus status, String type) {
        return status.getConditions().stream()
                .anyMatch(condition -> type.equals(condition.getType()) && "True".equals(condition.getStatus()));
    }

    private static String text(String prefix, String value) {
        return value == null || value.isBlank() ? "" : prefix + value.strip();
    }

    /**
     * A pod that will not serve: not Ready in time, or gone before it was.
     *
     * @param failed whether it reached phase {@code Failed} (its container ended in error: its log says why)
     */
    static final class PodUnavailable extends RuntimeException {
        private final String pod;
        private final boolean failed;

        PodUnavailable(String pod, boolean failed, String message) {
            super(message, null, false, false);
            this.pod = pod;
            this.failed = failed;
        }

        String pod() {
            return pod;
        }

        boolean failed() {
            return failed;
        }
    }
}
