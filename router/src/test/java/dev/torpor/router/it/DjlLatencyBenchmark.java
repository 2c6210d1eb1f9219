package dev.torpor.router.it;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import dev.torpor.fixtures.SampleModels;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Not a test (surefire's default includes skip it): the issue note's numbers, in one run. Cold start (publish
 * done, model at zero → first answer) and warm latency p50/p99 at concurrency 1 and 8 for the TorchScript sample
 * through Torpor over HTTP, against DJL called directly in a loop (tensor in, predict, floats out) in the same JVM.
 *
 * <pre>mvn -B -o -q test -pl router -am -Dtest=DjlLatencyBenchmark -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // TorporTestProperties needs it: a fresh data dir
class DjlLatencyBenchmark implements TorporTestProperties {
    static final int COLD_RUNS = 7;
    static final int WARM_REQUESTS = 4000;

    @Inject
    EmbeddedServer server;

    @Test
    void report() throws Exception {
        Http http = Http.operator(server);
        assertThat(http.put("/v2/repository/models/ts/versions/1", "application/zip",
                DjlModels.bytes(DjlModels.TORCHSCRIPT_ZIP)).status()).isIn(201, 409);
        assertThat(http.putJson("/v2/repository/models/ts/config", "{\"concurrencyPerInstance\": 8}").status())
                .isEqualTo(200);
        float[] x = DjlModels.input(1, 9);
        String body = DjlModels.json("b", x, 1);
        Path pt = Files.createTempDirectory("bench-").resolve("mlp.pt");
        Files.write(pt, TestArchives.entry(DjlModels.archive(DjlModels.TORCHSCRIPT_ZIP), "mlp.pt"));

        // Cold start: unload, then one request; and DJL directly: load + first predict.
        double[] torporCold = new double[COLD_RUNS];
        double[] directCold = new double[COLD_RUNS];
        for (int i = 0; i < COLD_RUNS; i++) {
            assertThat(http.post("/v2/repository/models/ts/unload", "{}").status()).isEqualTo(200);
            long start = System.nanoTime();
            Http.Reply reply = http.post("/v2/models/ts/infer", body);
            torporCold[i] = millis(start);
            assertThat(reply.header("torpor-cold-start")).isEqualTo("true");
            start = System.nanoTime();
            try (ZooModel<NDList, NDList> model = load(pt); Predictor<NDList, NDList> predictor = model.newPredictor()) {
                predict(predictor, model, x);
                directCold[i] = millis(start);
            }
        }
        http.post("/v2/models/ts/infer", body);

        try (ZooModel<NDList, NDList> model = load(pt)) {
            for (int concurrency : new int[] {1, 8}) {
                double[] viaTorpor = run(concurrency, () -> {
                    Http.Reply reply = http.post("/v2/models/ts/infer", body);
                    if (reply.status() != 200) {
                        throw new IllegalStateException(reply.body());
                    }
                    return null;
                }, null);
                double[] direct = run(concurrency, null, model);
                System.out.printf("DJL bench c%d: Torpor p50 %.3f ms p99 %.3f ms (%.0f req/s) | DJL direct p50 %.3f ms "
                                + "p99 %.3f ms (%.0f/s)%n", concurrency, pct(viaTorpor, 50), pct(viaTorpor, 99),
                        viaTorpor[viaTorpor.length - 1], pct(direct, 50), pct(direct, 99), direct[direct.length - 1]);
            }
        }
        // The same path with an ONNX model: what a request costs in Torpor whatever the engine (HTTP, ledger commit).
        assertThat(http.putFile("/v2/repository/models/vad/versions/1", SampleModels.silero()).status()).isIn(201, 409);
        String vadBody = SileroRequests.json("v", SileroRequests.audio(0));
        http.post("/v2/models/vad/infer", vadBody);
        double[] onnx = run(1, () -> {
            http.post("/v2/models/vad/infer", vadBody);
            return null;
        }, null);
        System.out.printf("DJL bench baseline: Silero VAD (ONNX Runtime) through Torpor c1 p50 %.3f ms p99 %.3f ms%n",
                pct(onnx, 50), pct(onnx, 99));
        System.out.printf("DJL bench cold start (median of %d): Torpor %.1f ms (min %.1f) | DJL direct load+predict "
                + "%.1f ms (min %.1f)%n", COLD_RUNS, pct(torporCold, 50), Arrays.stream(torporCold).min().orElseThrow(),
                pct(directCold, 50), Arrays.stream(directCold).min().orElseThrow());
    }

    /** Latencies in ms (sorted), with the throughput appended as the last element. */
    private static double[] run(int concurrency, Callable<Void> viaHttp, ZooModel<NDList, NDList> model)
            throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(concurrency);
        try {
            int each = WARM_REQUESTS / concurrency;
            List<Future<double[]>> parts = new ArrayList<>();
            long begin = System.nanoTime();
            for (int t = 0; t < concurrency; t++) {
                parts.add(threads.submit(() -> {
                    double[] times = new double[each];
                    float[] x = DjlModels.input(1, 9);
                    Predictor<NDList, NDList> predictor = model == null ? null : model.newPredictor();
                    try {
                        for (int i = 0; i < each; i++) {
                            long start = System.nanoTime();
                            if (viaHttp != null) {
                                viaHttp.call();
                            } else {
                                predict(predictor, model, x);
                            }
                            times[i] = millis(start);
                        }
                    } finally {
                        if (predictor != null) {
                            predictor.close();
                        }
                    }
                    return times;
                }));
            }
            List<Double> all = new ArrayList<>();
            for (Future<double[]> part : parts) {
                for (double time : part.get()) {
                    all.add(time);
                }
            }
            double seconds = (System.nanoTime() - begin) / 1e9;
            double[] sorted = all.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double[] withRate = Arrays.copyOf(sorted, sorted.length + 1);
            withRate[sorted.length] = sorted.length / seconds;
            return withRate;
        } finally {
            threads.shutdownNow();
        }
    }

    private static ZooModel<NDList, NDList> load(Path pt) throws Exception {
        return Criteria.builder().setTypes(NDList.class, NDList.class).optModelPath(pt).optEngine("PyTorch")
                .optTranslator(new NoopTranslator()).build().loadModel();
    }

    private static float[] predict(Predictor<NDList, NDList> predictor, ZooModel<NDList, NDList> model, float[] x)
            throws Exception {
        try (NDManager manager = model.getNDManager().newSubManager()) {
            return predictor.predict(new NDList(manager.create(x, new Shape(1, 8)))).head().toFloatArray();
        }
    }

    private static double millis(long start) {
        return (System.nanoTime() - start) / 1e6;
    }

    /** Percentile of sorted latencies (the last element, a throughput, excluded). */
    private static double pct(double[] sortedWithRate, int percentile) {
        int n = sortedWithRate.length == COLD_RUNS ? COLD_RUNS : sortedWithRate.length - 1;
        double[] values = Arrays.copyOf(sortedWithRate, n);
        Arrays.sort(values);
        return values[Math.min(n - 1, (int) Math.ceil(percentile / 100.0 * n) - 1)];
    }
}
