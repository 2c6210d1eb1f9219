package dev.torpor.samples.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The suite's markdown: how it was run, the floors, one row per cell, and the goals of issue 8. */
final class SuiteReport {
    private SuiteReport() {
    }

    static String markdown(SuiteOptions options, List<SuiteRouter> routers, Map<SuiteModel, LoadResult> floors,
                           List<SuiteCell> cells, Map<String, Double> deviations) {
        StringBuilder md = new StringBuilder();
        boolean keys = routers.stream().allMatch(SuiteRouter::keysOn);
        boolean someKeys = routers.stream().anyMatch(SuiteRouter::keysOn);
        md.append(f("Run %s on %s, %d CPUs, Java %s, ONNX Runtime %s. Launchers: %s, router defaults (ledger on, "
                        + "SQLite `synchronous=FULL`); **keys: %s**%s. Each cell: %d s warm-up, then %d s measured; the "
                        + "floor: %d s warm-up + %d s, before and again after the model's cells (merged). Load generator: "
                        + "closed loop, one plain-socket HTTP/1.1 keep-alive connection per worker, in the bench JVM, "
                        + "which shares the 2 cores with the router (its CPU is the 'client' column).%n%n",
                java.time.LocalDate.now(), cpuModel(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), ortVersion(), String.join(", ", SuiteRouter.names(routers)),
                keys ? "on" : someKeys ? "on for some launchers" : "off (the router wrote no operator.key)",
                options.intraOp() == null ? "" : f("; every model with `runtime.intraOpThreads` %d", options.intraOp()),
                options.warmup().toSeconds(), options.measure().toSeconds(), options.floorWarmup().toSeconds(),
                options.measure().toSeconds()));
        md.append("```\n").append(options.commandLine()).append("\n```\n\n");

        md.append("| model | floor req/s (1 thread) | floor p50 ms | floor p99 ms |\n|---|---:|---:|---:|\n");
        floors.forEach((model, floor) -> md.append(f("| %s | %.0f | %.3f | %.3f |%n", model.label(),
                floor.perSecond(), floor.p50Millis(), floor.p99Millis())));
        md.append('\n');

        md.append("| model | format | launcher | load | req/s | p50 ms | p99 ms | ÷ floor | p99 ≤ max(5×p50, p50+2ms) "
                + "| errors | client cores | server cores |\n|---|---|---|---|---:|---:|---:|---:|:-:|---|---:|---:|\n");
        for (SuiteCell cell : cells) {
            LoadResult r = cell.result();
            md.append(f("| %s | %s | %s | %s | %.0f | %.3f | %.3f | %.2f | %s | %s | %.2f | %.2f |%n",
                    cell.model().label(), cell.variant().label(), cell.launcher(), cell.load(), r.perSecond(),
                    r.p50Millis(), r.p99Millis(), r.perSecond() / floors.get(cell.model()).perSecond(),
                    r.tailDisciplined() ? "yes" : "**no**", r.errorsText(), r.clientCores(), r.serverCores()));
        }
        md.append("\nOutputs checked against the floor's once per model, format and launcher (largest absolute "
                + "difference): ");
        md.append(String.join(", ", deviations.entrySet().stream()
                .map(e -> f("%s %.1e", e.getKey(), e.getValue())).toList())).append(".\n\n");
        md.append(SuiteGoals.markdown(floors, cells));
        return md.toString();
    }

    static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    private static String ortVersion() {
        return ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion();
    }

    private static String cpuModel() {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo")).stream()
                    .filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown CPU");
        } catch (java.io.IOException e) {
            return "unknown CPU";
        }
    }
}
