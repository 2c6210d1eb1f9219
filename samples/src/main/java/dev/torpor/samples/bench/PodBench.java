package dev.torpor.samples.bench;

import dev.torpor.fixtures.ChildRouter;
import dev.torpor.fixtures.TestCluster;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 13's goals for the kubernetes launcher, measured in one run on the test cluster ({@link TestCluster}: fabric8's
 * mock API server and the test kubelet, function pods as local processes on loopback addresses) with the router jar:
 *
 * <ol>
 *   <li>cold starts through a warm pod on Silero VAD (claim, model upload, load, first answer), p50, with the phases the
 *       router logs for each pod start;</li>
 *   <li>warm req/s through a pod against the process launcher on the same model (PaddleOCR cls) at the same client
 *       concurrency, both routers started in turn on the same machine;</li>
 *   <li>a burst of requests on a model at zero with a warm pod available: how many fail (the goal: none).</li>
 * </ol>
 * Prints a markdown report. {@code samples/bench.sh pods [--jar PATH] [--models DIR] [--cold-rounds N]
 * [--cold-pause-ms MS] [--concurrency N] [--measure-s S] [--burst N] [--out FILE]}. Before each cold round the bench
 * waits for a Ready warm pod, then {@code --cold-pause-ms} (1500): on one machine the replacement pod's JVM and its
 * staging would otherwise compete with the cold start for the CPUs, which a warm pod on its own node does not.
 */
final class PodBench {
    private static final Pattern POD_READY = Pattern.compile("ready on pod \\S+: claimed a warm pod ([\\d.]+) ms, Ready after "
            + "([\\d.]+) ms, connect ([\\d.]+) ms, upload ([\\d.]+) ms \\((\\d+) files, (\\d+) bytes\\), load (\\d+) ms");

    private PodBench() {
    }

    static void main(String[] args) {
        Cli.run("pods", () -> run(args));
    }

    private static void run(String[] args) throws Exception {
        Path jar = Path.of("router/target/torpor.jar");
        Path models = Path.of("samples/.cache/models");
        int coldRounds = 15;
        int concurrency = 8;
        int measureS = 10;
        int burst = 200;
        long pauseMs = 1500;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--jar" -> jar = Path.of(require(value, args[i++]));
                case "--models" -> models = Path.of(require(value, args[i++]));
                case "--cold-rounds" -> coldRounds = Integer.parseInt(require(value, args[i++]));
                case "--concurrency" -> concurrency = Integer.parseInt(require(value, args[i++]));
                case "--measure-s" -> measureS = Integer.parseInt(require(value, args[i++]));
                case "--burst" -> burst = Integer.parseInt(require(value, args[i++]));
                case "--cold-pause-ms" -> pauseMs = Long.parseLong(require(value, args[i++]));
                case "--out" -> out = Path.of(require(value, args[i++]));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path vad = models.resolve("silero_vad.onnx");
        Path cls = models.resolve("ocr_cls.onnx");
        for (Path file : List.of(jar, vad, cls)) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("missing " + file + " (build, then run samples/fetch-models.sh)");
            }
        }
        String vadJson = BenchInput.forModel(vad).json();
        String clsJson = BenchInput.forModel(cls).json();
        StringBuilder report = new StringBuilder("## Function pods on the test cluster (issue 13)\n\n");

        // 2. Warm req/s: the process launcher first, alone on the machine.
        double processRps;
        ChildRouter process = BenchRouters.start(jar, "process", 1, List.of());
        try {
            TorporClient client = ready(process);
            client.publish("cls", "1", cls);
            processRps = closedLoop(client, client.inferRequest("cls", clsJson), concurrency, measureS);
        } finally {
            process.close(false);
        }

        Path work = Files.createTempDirectory("torpor-pod-bench-");
        try (TestCluster cluster = TestCluster.start("torpor-bench", work.resolve("kubelet"), jar.toAbsolutePath().toString())) {
            ChildRouter router = ChildRouter.jar(jar).tempPrefix("torpor-bench-")
                    .setting("TORPOR_DEFAULT_IDLE_TIMEOUT_SECONDS", "300")
                    .setting("TORPOR_LAUNCHER", "kubernetes").setting("TORPOR_ROUTER_ID", "bench")
                    .setting("TORPOR_K8S_WARM_PODS", "1").settings(cluster.clientEnvironment()).start();
            try {
                TorporClient client = ready(router);
                client.publish("vad", "1", vad);
                client.publish("cls", "1", cls);
                client.publish("burst", "1", vad);

                // 1. Cold starts through a warm pod.
                HttpRequest vadInfer = client.inferRequest("vad", vadJson);
                long[] cold = new long[coldRounds];
                double[] queued = new double[coldRounds];
                for (int round = 0; round < coldRounds; round++) {
                    client.unload("vad");
                    awaitWarmPod(cluster, Duration.ofSeconds(60));
                    Thread.sleep(pauseMs); // the machine idle again (a real warm pod runs on its own node), models staged
                    TorporClient.Infer answer = client.infer(vadInfer);
                    expect(answer, "true", "cold round " + (round + 1));
                    cold[round] = answer.nanos();
                    queued[round] = answer.queueMs();
                }

                // 2. Warm req/s through a pod.
                double podRps = closedLoop(client, client.inferRequest("cls", clsJson), concurrency, measureS);

                // 3. A burst on a model at zero, a warm pod Ready.
                awaitWarmPod(cluster, Duration.ofSeconds(60));
                int failed = burst(client, client.inferRequest("burst", vadJson), burst);

                report.append(coldReport(cold, queued, router.log()));
                report.append(String.format(Locale.ROOT, "%n| warm, PaddleOCR cls, JSON, c=%d, %d s | req/s |%n"
                                + "|---|---:|%n| process launcher (warm pool 1) | %.0f |%n| kubernetes launcher (pod, TCP) | "
                                + "%.0f |%n| ratio pod / process | %.2f (goal ≥ 0.90) |%n",
                        concurrency, measureS, processRps, podRps, podRps / processRps));
                report.append(String.format(Locale.ROOT, "%n| burst on a model at zero, warm pod Ready | requests "
                        + "| failed |%n|---|---:|---:|%n| Silero VAD, all at once | %d | %d (goal 0) |%n", burst, failed));
                report.append(String.format(Locale.ROOT, "%nMachine: %d CPUs; router, bench, API server, kubelet and "
                        + "pods share them. Java %s.%n", Runtime.getRuntime().availableProcessors(),
                        System.getProperty("java.version")));
            } catch (Exception | Error e) {
                System.err.println(router.logTail());
                throw e;
            } finally {
                router.close(false);
            }
        }
        Cli.publish(report.toString(), out, "pods");
    }

    private static TorporClient ready(ChildRouter router) throws Exception {
        router.awaitReady(Duration.ofSeconds(120));
        return new TorporClient(router.base(), router.operatorKey());
    }

    /** Waits until the cluster has a warm pod that is Running (the kubelet marks it Ready with it). */
    private static void awaitWarmPod(TestCluster cluster, Duration timeout) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        while (cluster.client().pods().inNamespace(cluster.namespace()).withLabel("torpor.dev/state", "warm").list()
                .getItems().stream().noneMatch(pod -> pod.getStatus() != null && pod.getStatus().getConditions()
                        .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))) {
            if (System.nanoTime() > until) {
                throw new IllegalStateException("no warm pod Ready within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
    }

    /** Requests per second of {@code threads} clients each sending back to back for {@code seconds}, after 2 s of warm-up. */
    private static double closedLoop(TorporClient client, HttpRequest request, int threads, int seconds)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            AtomicInteger counted = new AtomicInteger();
            long warmEnd = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            long end = warmEnd + Duration.ofSeconds(seconds).toNanos();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    while (System.nanoTime() < end) {
                        TorporClient.Infer answer = client.infer(request);
                        if (answer.status() != 200) {
                            throw new IllegalStateException("HTTP " + answer.status() + " " + answer.bodyText());
                        }
                        if (System.nanoTime() > warmEnd && System.nanoTime() < end) {
                            counted.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
            return counted.get() / (double) seconds;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Sends {@code count} requests at once; the number that did not answer 200. */
    private static int burst(TorporClient client, HttpRequest request, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                answers.add(pool.submit(() -> {
                    go.await();
                    return client.infer(request).status();
                }));
            }
            go.countDown();
            int failed = 0;
            for (Future<Integer> answer : answers) {
                if (answer.get() != 200) {
                    failed++;
                }
            }
            return failed;
        } finally {
            pool.shutdownNow();
        }
    }

    private static String coldReport(long[] cold, double[] queued, Path log) throws IOException {
        List<double[]> phases = new ArrayList<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            Matcher m = POD_READY.matcher(line);
            if (m.find() && line.contains("vad-1")) {
                phases.add(new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
                        Double.parseDouble(m.group(3)), Double.parseDouble(m.group(4)), Double.parseDouble(m.group(7)),
                        Double.parseDouble(m.group(6))});
            }
        }
        long[] sorted = cold.clone();
        Arrays.sort(sorted);
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "| cold start through a warm pod, Silero VAD, "
                + "%d rounds | p50 ms | min ms | max ms |%n|---|---:|---:|---:|%n| client: request → answer (claim, upload, "
                + "load, first run) | %.1f | %.1f | %.1f (goal p50 < 100) |%n", cold.length,
                sorted[sorted.length / 2] / 1e6, sorted[0] / 1e6, sorted[sorted.length - 1] / 1e6));
        double queueMedian = Percentiles.median(queued);
        text.append(String.format(Locale.ROOT, "| of which queued (arrival → run starts: `torpor-queue-ms`) | %.1f | | |%n"
                + "| the rest (first run in the pod, JSON, HTTP; p50 − queued) | %.1f | | |%n", queueMedian,
                sorted[sorted.length / 2] / 1e6 - queueMedian));
        if (!phases.isEmpty()) {
            String[] names = {"claim (relabel, resourceVersion-guarded)", "wait for Ready (already Ready)",
                    "connect (token, HELLO)", "model upload", "model load in the pod", "bytes uploaded"};
            text.append(String.format(Locale.ROOT, "%nPhases (router's log, median of %d pod starts):%n%n| phase | "
                    + "median |%n|---|---:|%n", phases.size()));
            for (int p = 0; p < names.length; p++) {
                int index = p;
                double[] values = phases.stream().mapToDouble(row -> row[index]).sorted().toArray();
                text.append(String.format(Locale.ROOT, "| %s | %s |%n", names[p], p == 5
                        ? String.format(Locale.ROOT, "%.0f", values[values.length / 2])
                        : String.format(Locale.ROOT, "%.1f ms", values[values.length / 2])));
            }
        }
        return text.toString();
    }

    private static void expect(TorporClient.Infer answer, String coldStart, String what) {
        if (answer.status() != 200 || !coldStart.equals(answer.coldStart())) {
            throw new IllegalStateException(what + ": HTTP " + answer.status() + ", cold start " + answer.coldStart()
                    + ": " + answer.bodyText());
        }
    }

    private static String require(String value, String option) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }
}
