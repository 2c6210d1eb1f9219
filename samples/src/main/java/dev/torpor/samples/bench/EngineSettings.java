package dev.torpor.samples.bench;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * {@code samples/bench.sh engine}: which ONNX Runtime session settings serve best on this machine? For each suite
 * model, each {@link Setting} and each number of callers (1, and 8 threads sharing one session, as a Torpor
 * instance's engine threads do), calls the engine directly ({@link DirectOrt#call}) for a warm-up and a window,
 * interleaving the settings so that drift spreads over them. Prints a markdown table on stdout.
 */
public final class EngineSettings {
    /** One candidate: intra-op and inter-op threads, execution mode, whether idle intra-op threads spin. */
    record Setting(String label, int intra, int inter, boolean parallel, boolean spin) {
        SessionOptions options() throws OrtException {
            SessionOptions options = new SessionOptions();
            options.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(intra);
            options.setInterOpNumThreads(inter);
            options.setExecutionMode(parallel ? SessionOptions.ExecutionMode.PARALLEL
                    : SessionOptions.ExecutionMode.SEQUENTIAL);
            if (!spin) {
                options.addConfigEntry("session.intra_op.allow_spinning", "0");
            }
            return options;
        }
    }

    static final List<Setting> SETTINGS = List.of(
            new Setting("intra 1, inter 1, sequential (Torpor's default)", 1, 1, false, true),
            new Setting("intra 2, sequential, spinning (ORT's default on 2 cores)", 2, 1, false, true),
            new Setting("intra 2, sequential, no spinning", 2, 1, false, false),
            new Setting("intra 1, inter 2, parallel", 1, 2, true, true));

    private EngineSettings() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of("samples/.cache/models");
        List<Integer> callers = List.of(1, 8);
        Duration warmup = Duration.ofSeconds(1);
        Duration measure = Duration.ofSeconds(4);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--models-dir" -> dir = Path.of(args[++i]);
                case "--measure-s" -> measure = Duration.ofSeconds(Integer.parseInt(args[++i]));
                case "--warmup-s" -> warmup = Duration.ofSeconds(Integer.parseInt(args[++i]));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "```%nsamples/bench.sh engine %s%n```%n%n",
                String.join(" ", args)));
        md.append("| model | setting | callers | req/s | p50 ms | p99 ms | CPU cores |\n|---|---|---:|---:|---:|---:|---:|\n");
        for (SuiteModel model : SuiteModel.ALL) {
            for (int threads : callers) {
                for (Setting setting : SETTINGS) {
                    try (SessionOptions options = setting.options();
                         OrtSession session = env.createSession(dir.resolve(model.file()).toString(), options)) {
                        LoadResult r = measure(env, session, model.input(), threads, warmup, measure);
                        String row = String.format(Locale.ROOT, "| %s | %s | %d | %.0f | %.3f | %.3f | %.2f |%n",
                                model.label(), setting.label(), threads, r.perSecond(), r.p50Millis(), r.p99Millis(),
                                r.clientCores());
                        System.err.print("engine: " + row);
                        md.append(row);
                    }
                }
            }
        }
        System.out.print(md);
    }

    private static LoadResult measure(OrtEnvironment env, OrtSession session, BenchInput input, int threads,
                                      Duration warmup, Duration measure) throws InterruptedException {
        MeasureWindow window = new MeasureWindow(warmup, measure);
        List<Histogram> histograms = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Histogram histogram = LoadResult.histogram();
            histograms.add(histogram);
            Thread worker = new Thread(() -> {
                for (long started = System.nanoTime(); started < window.end; started = System.nanoTime()) {
                    try {
                        DirectOrt.call(env, session, input);
                    } catch (OrtException e) {
                        window.error("ort: " + e.getMessage());
                        continue;
                    }
                    if (window.inWindow(started)) {
                        histogram.recordValue(System.nanoTime() - started);
                    }
                }
            }, "engine-" + t);
            worker.start();
            workers.add(worker);
        }
        window.sampleCpu(0);
        Histogram all = LoadResult.histogram();
        for (int t = 0; t < threads; t++) {
            workers.get(t).join();
            all.add(histograms.get(t));
        }
        return window.result(all);
    }
}
