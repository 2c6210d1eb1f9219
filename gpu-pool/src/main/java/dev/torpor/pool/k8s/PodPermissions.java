package dev.torpor.pool.k8s;

import java.util.Map;
import java.util.Set;

/**
 * The Kubernetes API permissions of the {@code kubernetes} launcher: for each resource of the core API group, the
 * verbs it calls, in the namespace of its function pods. This is the one list: the launcher's calls are drawn
 * from it, and {@code deploy/kubernetes/role.yaml} grants exactly it (a test reads the Role and fails on any verb
 * more or less), so the Role a cluster operator applies is neither short of a call nor broader than the launcher.
 *
 * <ul>
 *   <li>{@code pods}: {@code create} warm pods and a model's own pods; {@code get}, {@code list} and
 *       {@code watch} for the informer that reports a pod Ready, Pending too long or gone (never a polling loop);
 *       {@code patch} to claim a warm pod by relabelling it, guarded by its resourceVersion; {@code delete} for
 *       a reaped, failed or stale pod and every pod of the router on SIGTERM.</li>
 *   <li>{@code pods/log}: {@code get}, the last lines of a pod that failed, for the error that names it.</li>
 * </ul>
 * Immutable, so safe to share between threads.
 */
public final class PodPermissions {
    /** The API group of every resource below: the core group, written {@code ""} in a Role. */
    public static final String API_GROUP = "";

    /** Resource → verbs (RBAC spellings). */
    public static final Map<String, Set<String>> VERBS = Map.of(
            "pods", Set.of("get", "list", "watch", "create", "patch", "delete"),
            "pods/log", Set.of("get"));

    private PodPermissions() {
    }
}
