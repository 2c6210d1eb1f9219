package dev.torpor.samples.growth;

import dev.torpor.fixtures.ChildRouter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Router memory and metadata latency against the number of published models: one router (in-process
 * launcher, no warm pool, nothing ever loaded), models published in steps (the same ONNX file under distinct
 * names), and after each step the router's RSS, its live heap after a full GC, and the latency of the three
 * metadata reads: {@code GET /v2/models/{m}}, {@code GET /v2/repository/models/{m}} and the listing
 * {@code GET /v2/repository/models}. RSS is read right after the full GC that the histogram makes. Optionally a
 * last step after loading and unloading every model once: a model that has served keeps book-keeping in the
 * pool (its gate), which the metadata reads look through.
 */
final class CatalogGrowth {
    /** What one step measured. */
    record Step(int models, boolean touched, double publishSeconds, long rssKib, ClassHistogram heap, Latencies metadata,
                Latencies repositoryModel, Latencies listing, int listingBytes) {
    }

    private final Path jar;
    private final byte[] onnx;
    private final int metadataRequests;
    private final int listRequests;
    private final boolean touchAll;

    /** @param touchAll after the last step, load and unload every model once, then measure again */
    CatalogGrowth(Path jar, byte[] onnx, int metadataRequests, int listRequests, boolean touchAll) {
        this.touchAll = touchAll;
        this.jar = jar;
        this.onnx = onnx;
        this.metadataRequests = metadataRequests;
        this.listRequests = listRequests;
    }

    List<Step> run(List<Integer> modelCounts, boolean keep) throws Exception {
        List<Step> steps = new ArrayList<>();
        ChildRouter router = ChildRouter.jar(jar).tempPrefix("torpor-bench-").settings(Map.of(
                "TORPOR_LAUNCHER", "in-process",
                "TORPOR_WARM_POOL_SIZE", "0",
                "TORPOR_DEFAULT_IDLE_TIMEOUT_SECONDS", "600")).start();
        try {
            router.awaitReady(java.time.Duration.ofSeconds(120));
            RouterClient client = new RouterClient(router.base(), Optional.ofNullable(router.operatorKey()));
            int published = 0;
            for (int target : modelCounts) {
                long start = System.nanoTime();
                for (; published < target; published++) {
                    client.publishOnnx(name(published), "1", onnx);
                }
                double publishSeconds = (System.nanoTime() - start) / 1e9;
                GrowthBench.progress("published " + published + " models (" + String.format("%.1f", publishSeconds) + " s)");
                steps.add(measure(router, client, published, false, publishSeconds));
            }
            if (touchAll) {
                // Every model used once: the pool keeps book-keeping for each model version it has served.
                long start = System.nanoTime();
                for (int i = 0; i < published; i++) {
                    client.post("/v2/repository/models/" + name(i) + "/load");
                    client.post("/v2/repository/models/" + name(i) + "/unload");
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                GrowthBench.progress("loaded and unloaded " + published + " models (" + String.format("%.1f", seconds) + " s)");
                steps.add(measure(router, client, published, true, seconds));
            }
        } catch (RuntimeException | Error failure) {
            GrowthBench.progress(router.logTail());
            throw failure;
        } finally {
            router.close(keep);
        }
        return steps;
    }

    static String name(int index) {
        return String.format("m%04d", index);
    }

    private Step measure(ChildRouter router, RouterClient client, int models, boolean touched, double publishSeconds)
            throws Exception {
        // Warm-up, so that the timed calls meet compiled code: the same mix, untimed.
        time(client, models, metadataRequests / 4, i -> "/v2/models/" + name(i));
        time(client, models, metadataRequests / 4, i -> "/v2/repository/models/" + name(i));
        time(client, models, Math.max(10, listRequests / 4), i -> "/v2/repository/models");
        Latencies metadata = time(client, models, metadataRequests, i -> "/v2/models/" + name(i));
        Latencies repositoryModel = time(client, models, metadataRequests, i -> "/v2/repository/models/" + name(i));
        Latencies listing = time(client, models, listRequests, i -> "/v2/repository/models");
        int listingBytes = client.get("/v2/repository/models");
        // The histogram's full GC first, so that every step's RSS is read in the same state: right after a full
        // GC (which also lets G1 give back heap it had grown for the requests above).
        ClassHistogram heap = ClassHistogram.of(router.pid());
        long rss = Rss.kib(router.pid());
        GrowthBench.progress(models + " models: metadata p50 " + metadata.p50Micros() + " µs, listing p50 "
                + listing.p50Micros() + " µs, RSS " + rss / 1024 + " MiB, live heap " + heap.totalBytes() / 1024 + " KiB");
        return new Step(models, touched, publishSeconds, rss, heap, metadata, repositoryModel, listing, listingBytes);
    }

    /** {@code requests} sequential GETs, cycling over the published models. */
    private static Latencies time(RouterClient client, int models, int requests,
                                  java.util.function.IntFunction<String> path) throws Exception {
        long[] nanos = new long[requests];
        for (int i = 0; i < requests; i++) {
            String target = path.apply(i % models);
            long start = System.nanoTime();
            client.get(target);
            nanos[i] = System.nanoTime() - start;
        }
        return Latencies.of(nanos);
    }
}
