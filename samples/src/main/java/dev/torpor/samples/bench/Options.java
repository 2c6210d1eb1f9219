package dev.torpor.samples.bench;

import java.nio.file.Path;

/**
 * Command line: {@code --jar PATH} (router jar, default router/target/torpor.jar), {@code --model PATH} (Silero
 * VAD, default samples/.cache/models/silero_vad.onnx), {@code --requests N} timed calls per phase (default 5000),
 * {@code --warmup N} untimed calls before each phase (default 2000), {@code --cold-rounds N} (default 10),
 * {@code --out FILE} also write the report there, {@code --keep} keep the child's temp dir and log,
 * {@code --launcher in-process|process} (TORPOR_LAUNCHER of the child), {@code --warm-pool N}
 * (TORPOR_WARM_POOL_SIZE, for the process launcher), {@code --concurrency 1,8} (warm phases: that many client
 * threads, each sending its share of the requests; default 1). The request is chosen by the model's file
 * name ({@link BenchInput#forModel}).
 * Relative paths are resolved against the working directory (samples/bench.sh runs from the repository root).
 */
record Options(Path jar, Path model, int requests, int warmup, int coldRounds, Path out, boolean keep,
               String launcher, int warmPool, int coldPauseMs, java.util.List<Integer> concurrency) {

    static Options parse(String[] args) {
        Path jar = Path.of("router/target/torpor.jar");
        Path model = Path.of("samples/.cache/models/silero_vad.onnx");
        int requests = 5000;
        int warmup = 2000;
        int coldRounds = 10;
        Path out = null;
        boolean keep = false;
        String launcher = "in-process";
        int warmPool = 1;
        int coldPauseMs = 0;
        java.util.List<Integer> concurrency = java.util.List.of(1);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--jar" -> jar = Path.of(value(args, ++i, arg));
                case "--model" -> model = Path.of(value(args, ++i, arg));
                case "--requests" -> requests = positive(value(args, ++i, arg), arg);
                case "--warmup" -> warmup = Integer.parseInt(value(args, ++i, arg));
                case "--cold-rounds" -> coldRounds = positive(value(args, ++i, arg), arg);
                case "--out" -> out = Path.of(value(args, ++i, arg));
                case "--keep" -> keep = true;
                case "--launcher" -> launcher = value(args, ++i, arg);
                case "--warm-pool" -> warmPool = Integer.parseInt(value(args, ++i, arg));
                case "--cold-pause-ms" -> coldPauseMs = Integer.parseInt(value(args, ++i, arg));
                case "--concurrency" -> concurrency = java.util.Arrays.stream(value(args, ++i, arg).split(","))
                        .map(c -> positive(c.trim(), arg)).toList();
                case "-h", "--help" -> {
                    System.out.println("usage: samples/bench.sh [--jar PATH] [--model PATH] [--requests N] "
                            + "[--warmup N] [--cold-rounds N] [--out FILE] [--keep] [--launcher in-process|process] [--warm-pool N] [--cold-pause-ms N] [--concurrency 1,8]");
                    System.exit(0);
                }
                default -> throw new IllegalArgumentException("unknown option " + arg + " (try --help)");
            }
        }
        if (warmup < 0) {
            throw new IllegalArgumentException("--warmup must be >= 0");
        }
        if (coldPauseMs < 0) {
            throw new IllegalArgumentException("--cold-pause-ms must be >= 0");
        }
        return new Options(jar, model, requests, warmup, coldRounds, out, keep, launcher, warmPool, coldPauseMs,
                concurrency);
    }

    /** The options that decide the numbers, spelled out, for the "reproduce with" line. */
    String arguments() {
        return "--jar " + jar + " --model " + model + " --requests " + requests + " --warmup " + warmup
                + " --cold-rounds " + coldRounds + " --launcher " + launcher + " --warm-pool " + warmPool
                + (coldPauseMs > 0 ? " --cold-pause-ms " + coldPauseMs : "")
                + (concurrency.equals(java.util.List.of(1)) ? "" : " --concurrency "
                + String.join(",", concurrency.stream().map(String::valueOf).toList()));
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int positive(String value, String option) {
        int n = Integer.parseInt(value);
        if (n < 1) {
            throw new IllegalArgumentException(option + " must be >= 1");
        }
        return n;
    }
}
