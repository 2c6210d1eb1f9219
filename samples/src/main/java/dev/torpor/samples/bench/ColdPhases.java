package dev.torpor.samples.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a cold start's time goes, from the child router's log: a function process's {@code ready:} line
 * (process start → HELLO, acquire, model load in the process) or an in-process instance's {@code loaded … in
 * N ms} line, and the server's {@code torpor-queue-ms}. Medians over the cold rounds (the first load lines of
 * the log, one per round).
 */
final class ColdPhases {
    private static final Pattern READY = Pattern.compile(
            "ready: process start (\\d+) ms \\(of which ONNX Runtime init (\\d+) ms, warm-up (\\d+) ms\\), acquire (\\d+) ms, model load (\\d+) ms");
    private static final Pattern LOADED = Pattern.compile("instance \\S+ loaded \\S+ in ([\\d,]+) ms");

    private ColdPhases() {
    }

    static String markdown(Path log, long[] coldNanos, double[] queueMs) throws IOException {
        int rounds = coldNanos.length;
        List<double[]> ready = new ArrayList<>();
        List<Double> loaded = new ArrayList<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            Matcher r = READY.matcher(line);
            if (r.find()) {
                ready.add(new double[] {num(r.group(1)), num(r.group(2)), num(r.group(3)), num(r.group(4)),
                        num(r.group(5))});
                continue;
            }
            Matcher l = LOADED.matcher(line);
            if (l.find()) {
                loaded.add(num(l.group(1)));
            }
        }
        double cold = median(Arrays.stream(coldNanos).mapToDouble(n -> n / 1e6).toArray());
        double queue = median(queueMs);
        double[] afterQueue = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            afterQueue[i] = coldNanos[i] / 1e6 - queueMs[i];
        }
        StringBuilder md = new StringBuilder();
        md.append("| cold start phase (median of the rounds) | ms | share of cold p50 |\n|---|---:|---:|\n");
        if (!ready.isEmpty()) {
            List<double[]> rows = ready.subList(0, Math.min(rounds, ready.size()));
            row(md, "process start → HELLO (on the request's path only without a warm process)", col(rows, 0), cold);
            row(md, "  of which ONNX Runtime init", col(rows, 1), cold);
            row(md, "  of which warm-up (pooled processes only)", col(rows, 2), cold);
            row(md, "acquire (take from the pool, or start)", col(rows, 3), cold);
            row(md, "model load in the process", col(rows, 4), cold);
        } else if (!loaded.isEmpty()) {
            row(md, "model load in the router (in-process)", median(loaded.subList(0, Math.min(rounds, loaded.size()))
                    .stream().mapToDouble(Double::doubleValue).toArray()), cold);
        }
        row(md, "queued: arrival → run starts (torpor-queue-ms; contains the load)", queue, cold);
        row(md, "first run + JSON + HTTP (cold − queue)", median(afterQueue), cold);
        row(md, "cold start, client-timed", cold, cold);
        return md.append('\n').toString();
    }

    private static double col(List<double[]> rows, int i) {
        return median(rows.stream().mapToDouble(r -> r[i]).toArray());
    }

    private static void row(StringBuilder md, String phase, double ms, double cold) {
        md.append(String.format(Locale.ROOT, "| %s | %.1f | %.0f %% |%n", phase, ms, 100 * ms / cold));
    }

    private static double num(String text) {
        return Double.parseDouble(text.replace(",", ""));
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    }
}
