package dev.torpor.samples.bench;

import dev.torpor.fixtures.ChildRouter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One Torpor child of the suite, with one launcher and its defaults (ledger on; keys on when the router makes
 * them), every suite model published on it, and the requests to it encoded once.
 */
final class SuiteRouter implements AutoCloseable {
    final String launcher;
    private final ChildRouter child;
    private final String bearer;
    private final InetSocketAddress address;

    private SuiteRouter(String launcher, ChildRouter child, String bearer) {
        this.launcher = launcher;
        this.child = child;
        this.bearer = bearer;
        this.address = new InetSocketAddress("127.0.0.1", child.base().getPort());
    }

    /**
     * Starts the jar with {@code launcher}, waits until ready, reads the operator key if there is one, publishes
     * every variant of every model (the batched ones with their batching config, and every one with
     * {@code intraOp} threads when given).
     */
    static SuiteRouter start(SuiteOptions options, String launcher) throws Exception {
        ChildRouter child = BenchRouters.start(options.jar(), launcher, null, options.routerJvmOptions());
        try {
            child.awaitReady(Duration.ofSeconds(120));
            String bearer = child.operatorKey();
            TorporClient client = new TorporClient(child.base(), bearer);
            for (SuiteModel model : options.models()) {
                Path file = options.modelsDir().resolve(model.file());
                for (SuiteModel.Variant variant : model.variants()) {
                    client.publish(variant.routerName(), "1", file);
                    StringBuilder config = new StringBuilder("{");
                    if (variant.batched()) {
                        config.append("\"batching\":{\"maxBatchSize\":").append(variant.maxBatchSize())
                                .append(",\"maxDelayMicros\":").append(variant.maxDelayMicros()).append('}');
                    }
                    if (options.intraOp() != null) {
                        config.append(config.length() > 1 ? "," : "").append("\"runtime\":{\"intraOpThreads\":")
                                .append(options.intraOp()).append('}');
                    }
                    if (config.length() > 1) {
                        client.putConfig(variant.routerName(), config.append('}').toString());
                    }
                }
            }
            return new SuiteRouter(launcher, child, bearer);
        } catch (Exception | Error e) {
            System.err.println(child.logTail());
            child.close(options.keep());
            throw e;
        }
    }

    boolean keysOn() {
        return bearer != null;
    }

    InetSocketAddress address() {
        return address;
    }

    long pid() {
        return child.pid();
    }

    WireRequest request(SuiteModel model, SuiteModel.Variant variant) {
        return WireRequest.post("127.0.0.1:" + address.getPort(), "/v2/models/" + variant.routerName() + "/infer",
                variant.format().body(model.input().inputs()), bearer);
    }

    /** One request, answered 200, its outputs parsed. */
    java.util.Map<String, float[]> once(WireRequest request) throws IOException {
        try (HttpConnection connection = new HttpConnection(address)) {
            HttpConnection.Response response = connection.exchange(request);
            if (response.status() != 200) {
                throw new IllegalStateException(launcher + " " + request.path() + ": HTTP " + response.status() + " "
                        + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
            }
            return ServedOutputs.parse(response);
        }
    }

    String logTail() {
        return child.logTail();
    }

    Path log() {
        return child.log();
    }

    /** SIGTERM, then a kill if needed; keeps the child's files when asked (e.g. to read a JFR recording). */
    void stop(boolean keepFiles) throws InterruptedException {
        child.stop();
        child.close(keepFiles);
    }

    @Override
    public void close() {
        child.close(false);
    }

    static List<String> names(List<SuiteRouter> routers) {
        return routers.stream().map(r -> r.launcher).toList();
    }
}
