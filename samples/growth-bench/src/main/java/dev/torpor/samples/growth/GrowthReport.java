package dev.torpor.samples.growth;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The markdown report of a growth run: one table per measurement, and the per-model increments. */
final class GrowthReport {
    private final String modelFile;
    private final int modelBytes;
    private final int metadataRequests;
    private final int listRequests;
    private List<CatalogGrowth.Step> catalog = List.of();
    private final List<Map.Entry<String, List<WarmGrowth.Step>>> warm = new ArrayList<>();
    private double totalSeconds;

    GrowthReport(String modelFile, int modelBytes, int metadataRequests, int listRequests) {
        this.modelFile = modelFile;
        this.modelBytes = modelBytes;
        this.metadataRequests = metadataRequests;
        this.listRequests = listRequests;
    }

    void catalog(List<CatalogGrowth.Step> steps) {
        this.catalog = steps;
    }

    void warm(String launcher, List<WarmGrowth.Step> steps) {
        warm.add(Map.entry(launcher, steps));
    }

    void totalSeconds(double seconds) {
        this.totalSeconds = seconds;
    }

    String markdown() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "Run %s, %d CPUs, JDK %s, %s; model %s (%d bytes); %.0f s in all.%n%n",
                LocalDate.now(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version"), modelFile, modelBytes,
                totalSeconds));
        if (!catalog.isEmpty()) {
            catalogTables(out);
        }
        for (Map.Entry<String, List<WarmGrowth.Step>> launcher : warm) {
            warmTable(out, launcher.getKey(), launcher.getValue());
        }
        return out.toString();
    }

    private void catalogTables(StringBuilder out) {
        out.append("**Published models** (in-process launcher, nothing loaded; RSS right after a full GC; ").append(metadataRequests)
                .append(" sequential requests per metadata row, ").append(listRequests)
                .append(" per listing, HTTP/1.1 keep-alive, after an untimed warm-up; latencies p50 / p99 in µs)\n\n");
        out.append("| models | router RSS MiB | live heap MiB | GET /v2/models/{m} | GET /v2/repository/models/{m} | GET /v2/repository/models | listing KiB | publish (or load + unload) s, this step |\n");
        out.append("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (CatalogGrowth.Step step : catalog) {
            out.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %s | %s | %s | %.1f | %.1f |%n",
                    step.touched() ? step.models() + ", each loaded + unloaded once" : Integer.toString(step.models()),
                    step.rssKib() / 1024.0, step.heap().totalBytes() / 1048576.0,
                    pair(step.metadata()), pair(step.repositoryModel()), pair(step.listing()),
                    step.listingBytes() / 1024.0, step.publishSeconds()));
        }
        CatalogGrowth.Step first = catalog.get(0);
        CatalogGrowth.Step last = catalog.stream().filter(step -> !step.touched()).reduce((a, b) -> b).orElseThrow();
        int added = last.models() - first.models();
        if (added > 0) {
            out.append(String.format(Locale.ROOT,
                    "%nFrom %d to %d models: live heap +%.1f KiB per model, RSS +%.1f KiB per model; "
                            + "listing p50 ×%.1f, metadata p50 ×%.2f.%n%n",
                    first.models(), last.models(),
                    (last.heap().totalBytes() - first.heap().totalBytes()) / 1024.0 / added,
                    (double) (last.rssKib() - first.rssKib()) / added,
                    last.listing().p50Micros() / first.listing().p50Micros(),
                    last.metadata().p50Micros() / first.metadata().p50Micros()));
            growthByClass(out, "from " + first.models() + " to " + last.models() + " models", first, last, added);
        }
        CatalogGrowth.Step touched = catalog.get(catalog.size() - 1);
        if (touched.touched()) {
            out.append(String.format(Locale.ROOT,
                    "After loading and unloading each of the %d models once: live heap +%.1f KiB per model; "
                            + "listing p50 ×%.1f, GET /v2/repository/models/{m} p50 ×%.2f against the row before.%n%n",
                    touched.models(), (touched.heap().totalBytes() - last.heap().totalBytes()) / 1024.0 / touched.models(),
                    touched.listing().p50Micros() / last.listing().p50Micros(),
                    touched.repositoryModel().p50Micros() / last.repositoryModel().p50Micros()));
            growthByClass(out, "when each model has been loaded and unloaded once", last, touched, touched.models());
        }
    }

    private static void growthByClass(StringBuilder out, String when, CatalogGrowth.Step before,
                                      CatalogGrowth.Step after, int models) {
        out.append("Live heap growth by class ").append(when)
                .append(" (`jcmd GC.class_histogram`), largest first:\n\n| class | KiB | bytes per model |\n|---|---:|---:|\n");
        for (Map.Entry<String, Long> grown : after.heap().largestGrowthSince(before.heap(), 12)) {
            out.append(String.format(Locale.ROOT, "| `%s` | %.1f | %.0f |%n", grown.getKey(),
                    grown.getValue() / 1024.0, (double) grown.getValue() / models));
        }
        out.append('\n');
    }

    private static String pair(Latencies latencies) {
        return String.format(Locale.ROOT, "%.0f / %.0f", latencies.p50Micros(), latencies.p99Micros());
    }

    private static void warmTable(StringBuilder out, String launcher, List<WarmGrowth.Step> steps) {
        out.append("**Warm instances, launcher `").append(launcher)
                .append("`** (no warm pool; memory of the router plus its descendants, 2 s after the last wake-up and"
                        + " right after a full GC of the router; per instance = growth since 0 warm ÷ warm models)\n\n");
        out.append("| warm models | function processes | RSS MiB | PSS MiB | RSS per instance MiB | PSS per instance MiB"
                + " | PSS per instance since previous row MiB | router live heap MiB |\n");
        out.append("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        WarmGrowth.Step base = steps.get(0);
        WarmGrowth.Step previous = base;
        for (WarmGrowth.Step step : steps) {
            boolean first = step.warm() == 0;
            out.append(String.format(Locale.ROOT, "| %d | %d | %.1f | %.1f | %s | %s | %s | %.1f |%n", step.warm(),
                    step.functionProcesses(), step.rssKib() / 1024.0, step.pssKib() / 1024.0,
                    first ? "–" : mib((step.rssKib() - base.rssKib()) / 1024.0 / step.warm()),
                    first ? "–" : mib((step.pssKib() - base.pssKib()) / 1024.0 / step.warm()),
                    first ? "–" : mib((step.pssKib() - previous.pssKib()) / 1024.0 / (step.warm() - previous.warm())),
                    step.routerHeapBytes() / 1048576.0));
            previous = step;
        }
        out.append('\n');
    }

    private static String mib(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }
}
