package dev.torpor.samples.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Command line of {@code samples/bench.sh suite}: {@code --models wakeword,silero,ocr_cls,ocr_rec},
 * {@code --concurrency 1,8,32}, {@code --launchers in-process,process}, {@code --warmup-s 5} and
 * {@code --measure-s 10} per cell, {@code --floor-warmup-s 2}, {@code --open-loop 0.7} (an open-loop cell per
 * variant at that fraction of the in-process closed-loop c=8 req/s; 0 = none), {@code --intra-op N} (every
 * model's {@code runtime.intraOpThreads}; default: the router's default), {@code --router-jvm-opts "…"}
 * (e.g. a JFR recording), {@code --jar}, {@code --models-dir}, {@code --out FILE}, {@code --keep}.
 */
record SuiteOptions(Path jar, Path modelsDir, List<SuiteModel> models, List<Integer> concurrency,
                    List<String> launchers, Duration warmup, Duration measure, Duration floorWarmup,
                    double openLoopFraction, Integer intraOp, List<String> routerJvmOptions, Path out, boolean keep,
                    String commandLine) {

    static SuiteOptions parse(String[] args) {
        Path jar = Path.of("router/target/torpor.jar");
        Path modelsDir = Path.of("samples/.cache/models");
        List<SuiteModel> models = SuiteModel.ALL;
        List<Integer> concurrency = List.of(1, 8, 32);
        List<String> launchers = List.of("in-process", "process");
        int warmup = 5;
        int measure = 10;
        int floorWarmup = 2;
        double openLoop = 0.7;
        Integer intraOp = null;
        List<String> jvm = List.of();
        Path out = null;
        boolean keep = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--jar" -> jar = Path.of(value(args, ++i, arg));
                case "--models-dir" -> modelsDir = Path.of(value(args, ++i, arg));
                case "--models" -> models = split(value(args, ++i, arg)).stream().map(SuiteModel::byKey).toList();
                case "--concurrency" -> concurrency = split(value(args, ++i, arg)).stream()
                        .map(c -> positive(c, arg)).toList();
                case "--launchers" -> launchers = split(value(args, ++i, arg));
                case "--warmup-s" -> warmup = Integer.parseInt(value(args, ++i, arg));
                case "--measure-s" -> measure = positive(value(args, ++i, arg), arg);
                case "--floor-warmup-s" -> floorWarmup = Integer.parseInt(value(args, ++i, arg));
                case "--open-loop" -> openLoop = Double.parseDouble(value(args, ++i, arg));
                case "--intra-op" -> intraOp = positive(value(args, ++i, arg), arg);
                case "--router-jvm-opts" -> jvm = Arrays.stream(value(args, ++i, arg).trim().split("\\s+"))
                        .filter(s -> !s.isEmpty()).toList();
                case "--out" -> out = Path.of(value(args, ++i, arg));
                case "--keep" -> keep = true;
                default -> throw new IllegalArgumentException("unknown option " + arg + " (see SuiteOptions)");
            }
        }
        for (String launcher : launchers) {
            if (!launcher.equals("in-process") && !launcher.equals("process")) {
                throw new IllegalArgumentException("--launchers: in-process and/or process, not " + launcher);
            }
        }
        if (warmup < 0 || floorWarmup < 0 || openLoop < 0) {
            throw new IllegalArgumentException("warm-ups and --open-loop must be >= 0");
        }
        return new SuiteOptions(jar, modelsDir, models, concurrency, launchers, Duration.ofSeconds(warmup),
                Duration.ofSeconds(measure), Duration.ofSeconds(floorWarmup), openLoop, intraOp, jvm, out, keep,
                "samples/bench.sh suite " + String.join(" ", args));
    }

    private static List<String> split(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int positive(String value, String option) {
        int n = Integer.parseInt(value.trim());
        if (n < 1) {
            throw new IllegalArgumentException(option + " must be >= 1");
        }
        return n;
    }
}
