package dev.torpor.samples.bench;

import dev.torpor.fixtures.ChildRouter;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * What does serving Silero VAD through Torpor cost over calling ONNX Runtime directly? One run measures:
 *
 * <ol>
 *   <li>the floor ({@link DirectOrt}), in this JVM, before Torpor is started so the two do not share CPUs;</li>
 *   <li>Torpor as a child process ({@link ChildRouter}): idle memory, publish, cold starts after unload,
 *       warm sequential requests (checked against the floor's outputs), memory loaded and after unload, and
 *       how SIGTERM stops it;</li>
 * </ol>
 * and prints a markdown report ({@link Report}) to stdout (progress goes to stderr). It talks to 127.0.0.1 only,
 * every wait has a timeout, and the child is killed on every path out (finally, and a shutdown hook).
 */
public final class ServeBench {
    private static final String MODEL = "m";

    private ServeBench() {
    }

    /**
     * {@code suite …} runs {@link ServingSuite}, {@code engine …} runs {@link EngineSettings}, {@code pods …} runs
     * {@link PodBench}; else this bench.
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("suite")) {
            ServingSuite.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("pods")) {
            PodBench.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("engine")) {
            EngineSettings.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        Cli.run("bench", () -> run(Options.parse(args)));
    }

    private static void run(Options options) throws Exception {
        if (!Files.isRegularFile(options.model())) {
            throw new IllegalArgumentException("no model at " + options.model() + " (run samples/fetch-models.sh)");
        }
        BenchInput input = BenchInput.forModel(options.model());

        progress("floor: ONNX Runtime direct, %d warm-up + %d timed calls", options.warmup(), options.requests());
        DirectOrt.Result floor = DirectOrt.measure(options.model(), input, options.warmup(), options.requests());

        ChildRouter child = BenchRouters.start(options.jar(), options.launcher(), options.warmPool(), List.of());
        boolean ok = false;
        try {
            progress("torpor: started pid %d on %s, log %s", child.pid(), child.base(), child.log());
            child.awaitReady(Duration.ofSeconds(120));
            TorporClient client = new TorporClient(child.base(), child.operatorKey());
            client.publish(MODEL, "1", options.model());
            ProcStatus idle = ProcStatus.ofTree(child.processTree());

            progress("torpor: %d cold starts", options.coldRounds());
            HttpRequest infer = client.inferRequest(MODEL, input.json());
            long[] coldNanos = new long[options.coldRounds()];
            double[] coldQueueMs = new double[options.coldRounds()];
            for (int round = 0; round < options.coldRounds(); round++) {
                client.unload(MODEL);
                // With a pause, each round finds the warm pool refilled and the machine idle (a model at zero
                // after a while); without, rounds come back to back and the pool's refill competes for the CPUs.
                Thread.sleep(options.coldPauseMs());
                TorporClient.Infer answer = client.infer(infer);
                require(answer, "true", "cold round " + (round + 1));
                coldNanos[round] = answer.nanos();
                coldQueueMs[round] = answer.queueMs();
            }

            progress("torpor: warm, %d warm-up + %d timed requests", options.warmup(), options.requests());
            for (int i = 0; i < options.warmup(); i++) {
                require(client.infer(infer), "false", "warm-up request " + (i + 1));
            }
            long[] warmNanos = new long[options.requests()];
            long loopStart = System.nanoTime();
            for (int i = 0; i < options.requests(); i++) {
                TorporClient.Infer answer = client.infer(infer);
                require(answer, "false", "warm request " + (i + 1));
                warmNanos[i] = answer.nanos();
            }
            long loopWall = System.nanoTime() - loopStart;
            StringBuilder extra = new StringBuilder();
            extra.append("| warm, HTTP/1.1, JSON, by client concurrency | p50 µs | p99 µs | mean µs | req/s |\n");
            extra.append("|---|---:|---:|---:|---:|\n");
            for (int threads : options.concurrency()) {
                Percentiles p = threads == 1 ? Percentiles.of(warmNanos, loopWall)
                        : concurrent(client, infer, threads, options.requests(), options.warmup());
                extra.append(String.format(java.util.Locale.ROOT, "| concurrency %d | %.1f | %.1f | %.1f | %.0f |%n",
                        threads, p.p50Micros(), p.p99Micros(), p.meanMicros(), p.perSecond()));
            }
            extra.append("\n").append(ColdPhases.markdown(child.log(), coldNanos, coldQueueMs));
            Map<String, float[]> served = TorporClient.outputs(client.infer(infer).body());
            requireEqual(floor.outputs(), served);
            ProcStatus loaded = ProcStatus.ofTree(child.processTree());

            client.unload(MODEL);
            Thread.sleep(2000);
            ProcStatus afterUnload = ProcStatus.ofTree(child.processTree());
            ProcStatus end = ProcStatus.ofTree(child.processTree());

            progress("torpor: SIGTERM");
            ChildRouter.Stop stop = child.stop();

            Report.Run result = new Report.Run(options, environment(options, floor.ortVersion()), floor,
                    Percentiles.of(warmNanos, loopWall), Percentiles.of(coldNanos, 0),
                    Percentiles.median(coldQueueMs), idle, loaded, afterUnload, end, stop, served,
                    System.getProperty("torpor.bench.launcher", "java -jar samples/target/torpor-bench.jar")
                            + " " + options.arguments(), input.describe(), extra.toString());
            String markdown = Report.markdown(result);
            Cli.publish(markdown, options.out(), "bench");
            ok = true;
        } catch (Exception | AssertionError e) {
            System.err.println(child.logTail());
            throw e;
        } finally {
            child.close(options.keep() || !ok);
            if (!ok || options.keep()) {
                progress("child's files kept: %s", child.log().getParent());
            }
        }
    }

    /** {@code threads} clients, each sending its share of {@code requests} (after its share of the warm-up). */
    private static Percentiles concurrent(TorporClient client, HttpRequest infer, int threads, int requests,
                                          int warmup) throws Exception {
        progress("torpor: warm, concurrency %d", threads);
        long[] nanos = new long[requests - requests % threads];
        int each = nanos.length / threads;
        var pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            var start = new java.util.concurrent.CountDownLatch(1);
            var warmed = new java.util.concurrent.CountDownLatch(threads);
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int offset = t * each;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < warmup / threads; i++) {
                        require(client.infer(infer), "false", "warm-up request");
                    }
                    warmed.countDown();
                    start.await();
                    for (int i = 0; i < each; i++) {
                        TorporClient.Infer answer = client.infer(infer);
                        require(answer, "false", "concurrent request");
                        nanos[offset + i] = answer.nanos();
                    }
                    return null;
                }));
            }
            warmed.await();
            long begin = System.nanoTime();
            start.countDown();
            for (var future : done) {
                future.get();
            }
            return Percentiles.of(nanos, System.nanoTime() - begin);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Fails loudly unless the answer is 200 with the expected {@code torpor-cold-start} header. */
    private static void require(TorporClient.Infer answer, String coldStart, String what) {
        if (answer.status() != 200) {
            throw new IllegalStateException(what + ": HTTP " + answer.status() + " " + answer.bodyText());
        }
        if (!coldStart.equals(answer.coldStart())) {
            throw new IllegalStateException(what + ": expected torpor-cold-start: " + coldStart + ", got "
                    + answer.coldStart());
        }
    }

    /** Same output names, same lengths, every float equal (bit pattern, as {@link Arrays#equals(float[], float[])}). */
    private static void requireEqual(Map<String, float[]> direct, Map<String, float[]> served) {
        if (!direct.keySet().equals(served.keySet())) {
            throw new IllegalStateException("outputs differ: ONNX Runtime gave " + direct.keySet() + ", Torpor "
                    + served.keySet());
        }
        direct.forEach((name, expected) -> {
            float[] actual = served.get(name);
            if (!Arrays.equals(expected, actual)) {
                int at = Arrays.mismatch(expected, actual);
                throw new IllegalStateException("output " + name + " differs at index " + at + ": ONNX Runtime "
                        + (at < expected.length ? expected[at] : "(end)") + ", Torpor "
                        + (at < actual.length ? actual[at] : "(end)"));
            }
        });
    }

    private static String environment(Options options, String ortVersion) throws IOException {
        return String.format(java.util.Locale.ROOT,
                "Machine: %s, %d CPUs visible to the JVM, %s %s. Java %s (%s), same JDK for bench and child, "
                        + "no JVM options. ONNX Runtime %s. Model `%s` (%d bytes, sha256 %s…). Bench and Torpor "
                        + "share the machine's CPUs during the Torpor rows.",
                cpuModel(), Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.version"), System.getProperty("java.version"),
                System.getProperty("java.vm.name"), ortVersion, options.model().getFileName(),
                Files.size(options.model()), sha256(options.model()).substring(0, 12));
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[65536];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void progress(String format, Object... args) {
        System.err.println("bench: " + String.format(java.util.Locale.ROOT, format, args));
    }
}
