package dev.torpor.pool;

/**
 * One place outside the router's machine where a launcher runs instances — a pod — as operators see it in
 * {@code GET /admin/pool}. Fields other than the kind and name may be null (not scheduled yet, model-less).
 *
 * @param kind       what it is: {@code pod}
 * @param node       the node it was scheduled on
 * @param phase      its phase as its platform reports it ({@code Pending}, {@code Running}, …)
 * @param state      {@code warm} (model-less, for the next cold start) or {@code claimed}
 * @param model      the model version it serves, {@code name/version}
 * @param instanceId the instance it runs
 */
public record HostView(String kind, String name, String node, String phase, String state, String model,
                       String instanceId) {
}
