package dev.torpor.samples.growth;

import dev.torpor.fixtures.ChildRouter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Memory per warm instance: one router per launcher (no warm pool, nothing scales to zero during the run),
 * the largest count of models published up front, then models woken one after the other by one infer each;
 * after each step, the RSS of the router plus all its descendants (the function processes) and the router's
 * live heap after a full GC. The pool's instance limits are raised to the largest count first, and every step
 * checks that exactly that many instances are READY (nothing evicted).
 */
final class WarmGrowth {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    /** What one step measured; {@code warm} 0 is the baseline with every model published and none loaded. */
    record Step(int warm, long functionProcesses, long rssKib, long pssKib, long routerHeapBytes) {
    }

    private final Path jar;
    private final byte[] onnx;

    WarmGrowth(Path jar, byte[] onnx) {
        this.jar = jar;
        this.onnx = onnx;
    }

    List<Step> run(String launcher, List<Integer> warmCounts, boolean keep) throws Exception {
        int models = warmCounts.stream().mapToInt(Integer::intValue).max().orElseThrow();
        List<Step> steps = new ArrayList<>();
        ChildRouter router = ChildRouter.jar(jar).tempPrefix("torpor-bench-").settings(Map.of(
                "TORPOR_LAUNCHER", launcher,
                "TORPOR_WARM_POOL_SIZE", "0",
                "TORPOR_DEFAULT_IDLE_TIMEOUT_SECONDS", "600")).start();
        try {
            router.awaitReady(java.time.Duration.ofSeconds(120));
            RouterClient client = new RouterClient(router.base(), Optional.ofNullable(router.operatorKey()));
            // The default pool keeps at most 8 CPU instances (API.md) and would evict the oldest beyond that.
            client.putJson("/admin/pool/limits", "{\"maxInstances\":" + models + ",\"cpu\":{\"maxInstances\":"
                    + models + "}}");
            for (int i = 0; i < models; i++) {
                client.publishOnnx(name(i), "1", onnx);
            }
            String body = SileroRequest.json();
            steps.add(measure(router, client, 0));
            int warm = 0;
            for (int target : warmCounts) {
                for (; warm < target; warm++) {
                    client.infer(name(warm), body);
                }
                steps.add(measure(router, client, warm));
            }
        } catch (RuntimeException | Error failure) {
            GrowthBench.progress(router.logTail());
            throw failure;
        } finally {
            router.close(keep);
        }
        return steps;
    }

    /** The READY instances in GET /admin/pool. */
    private static int readyInstances(RouterClient client) throws Exception {
        int ready = 0;
        for (com.fasterxml.jackson.databind.JsonNode instance : JSON.readTree(client.getText("/admin/pool")).path("instances")) {
            if (instance.path("state").asText().equals("READY")) {
                ready++;
            }
        }
        return ready;
    }

    static String name(int index) {
        return String.format("w%02d", index);
    }

    private static Step measure(ChildRouter router, RouterClient client, int warm) throws Exception {
        // Let start-up work that follows a load (a process's JIT, the pool's book-keeping) settle.
        Thread.sleep(2000);
        // The router's full GC (the histogram's) first, so that its share of the RSS is read in the same state at
        // every step; the function processes are not collected (their heap holds little: tensors live off-heap).
        ClassHistogram heap = ClassHistogram.of(router.pid());
        List<Long> tree = router.processTree();
        long rss = Rss.kib(tree);
        long pss = Rss.pssKib(tree);
        long processes = router.functionProcesses();
        int ready = readyInstances(client);
        if (ready != warm) {
            throw new IllegalStateException("expected " + warm + " READY instances, the pool has " + ready);
        }
        GrowthBench.progress(warm + " warm: " + processes + " function processes, RSS " + rss / 1024 + " MiB, PSS "
                + pss / 1024 + " MiB");
        return new Step(warm, processes, rss, pss, heap.totalBytes());
    }
}
