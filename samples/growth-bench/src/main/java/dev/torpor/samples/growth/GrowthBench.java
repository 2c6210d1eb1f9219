package dev.torpor.samples.growth;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How Torpor's cost grows with the work, measured on {@code java -jar torpor.jar} as a child process over
 * HTTP: router memory and metadata latency with 10, 100 and 1,000 published models ({@link CatalogGrowth}),
 * and memory per warm instance with 1, 5 and 20 models warm at once, for each launcher ({@link WarmGrowth}).
 * Prints a markdown report on stdout (and to {@code --out}); progress goes to stderr.
 *
 * <pre>
 * java -jar samples/growth-bench/target/torpor-growth-bench.jar [--jar router/target/torpor.jar]
 *     [--model samples/.cache/models/silero_vad.onnx] [--models 10,100,1000] [--metadata-requests 2000]
 *     [--list-requests 200] [--no-touch] [--warm 1,5,20] [--launchers in-process,process] [--out FILE] [--keep]
 * </pre>
 */
public final class GrowthBench {
    private GrowthBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        Path jar = Path.of(options.getOrDefault("jar", "router/target/torpor.jar"));
        Path model = Path.of(options.getOrDefault("model", "samples/.cache/models/silero_vad.onnx"));
        List<Integer> modelCounts = ints(options.getOrDefault("models", "10,100,1000"));
        List<Integer> warmCounts = ints(options.getOrDefault("warm", "1,5,20"));
        List<String> launchers = Arrays.asList(options.getOrDefault("launchers", "in-process,process").split(","));
        int metadataRequests = Integer.parseInt(options.getOrDefault("metadata-requests", "2000"));
        int listRequests = Integer.parseInt(options.getOrDefault("list-requests", "200"));
        boolean keep = options.containsKey("keep");
        byte[] onnx = Files.readAllBytes(model);

        long start = System.nanoTime();
        GrowthReport report = new GrowthReport(model.getFileName().toString(), onnx.length, metadataRequests,
                listRequests);
        if (!modelCounts.isEmpty()) {
            progress("catalog growth: " + modelCounts + " published models");
            report.catalog(new CatalogGrowth(jar, onnx, metadataRequests, listRequests,
                    !options.containsKey("no-touch")).run(modelCounts, keep));
        }
        if (!warmCounts.isEmpty()) {
            WarmGrowth warm = new WarmGrowth(jar, onnx);
            for (String launcher : launchers) {
                progress("warm growth, launcher " + launcher + ": " + warmCounts + " warm models");
                report.warm(launcher, warm.run(launcher, warmCounts, keep));
            }
        }
        report.totalSeconds((System.nanoTime() - start) / 1e9);
        String markdown = report.markdown();
        System.out.print(markdown);
        if (options.containsKey("out")) {
            Files.writeString(Path.of(options.get("out")), markdown);
        }
    }

    static void progress(String message) {
        System.err.println("growth-bench: " + message);
    }

    private static List<Integer> ints(String csv) {
        List<Integer> values = new ArrayList<>();
        for (String part : csv.split(",")) {
            if (!part.isBlank()) {
                values.add(Integer.parseInt(part.strip()));
            }
        }
        for (int i = 1; i < values.size(); i++) {
            if (values.get(i) <= values.get(i - 1)) {
                throw new IllegalArgumentException("counts must grow: " + csv);
            }
        }
        return values;
    }

    /** {@code --name value} pairs; {@code --keep} stands alone. */
    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            String name = args[i].substring(2);
            if (name.equals("keep") || name.equals("no-touch")) {
                options.put(name, "true");
            } else if (i + 1 < args.length) {
                options.put(name, args[++i]);
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
        }
        return options;
    }
}
