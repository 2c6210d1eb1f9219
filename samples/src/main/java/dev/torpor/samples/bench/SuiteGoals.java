package dev.torpor.samples.bench;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Issue 8's goals, judged from one suite run (in-process launcher, c=8, unless a goal says otherwise). A goal
 * whose cells were not measured in this run says so instead of passing. Serving in arrival order is a property
 * of the router's code, not of these numbers; docs/BENCHMARKS.md says where it is checked.
 */
final class SuiteGoals {
    private SuiteGoals() {
    }

    static String markdown(Map<SuiteModel, LoadResult> floors, List<SuiteCell> cells) {
        StringBuilder md = new StringBuilder("| goal | measured | reached |\n|---|---|:-:|\n");
        ratioGoal(md, floors, cells, "wakeword", "json", 0.25, 5, "openWakeWord c=8 JSON ≥ 25% of floor req/s, p99 < 5 ms");
        ratioGoal(md, floors, cells, "silero", "json", 0.60, 5, "Silero VAD c=8 JSON ≥ 60% of floor req/s, p99 < 5 ms");
        ratioGoal(md, floors, cells, "ocr_cls", "binary", 0.80, 0, "OCR cls c=8 binary ≥ 80% of the unbatched floor");
        ratioGoal(md, floors, cells, "ocr_cls", "batched", 1.00, 0, "OCR cls c=8 binary, batching ≤8: above the floor");
        ratioGoal(md, floors, cells, "ocr_rec", "json-binout", 0.90, 0,
                "OCR rec c=8 JSON in + binary out ≥ 90% of floor req/s");
        launcherGoal(md, cells, "ocr_cls", "binary");
        launcherGoal(md, cells, "ocr_rec", "json-binout");
        List<SuiteCell> closed = cells.stream().filter(c -> !c.open()).toList();
        List<String> undisciplined = closed.stream().filter(c -> !c.result().tailDisciplined())
                .map(c -> c.model().label() + " " + c.variant().key() + " " + c.launcher() + " " + c.load()).toList();
        md.append(SuiteReport.f("| tail: p99 ≤ max(5×p50, p50+2 ms) in every closed-loop cell | %d of %d cells%s | %s |%n",
                closed.size() - undisciplined.size(), closed.size(),
                undisciplined.isEmpty() ? "" : "; not: " + String.join(", ", undisciplined),
                closed.isEmpty() ? "not measured" : undisciplined.isEmpty() ? "✓" : "✗"));
        long errors = cells.stream().mapToLong(c -> c.result().errorCount()).sum();
        md.append(SuiteReport.f("| no errors | %d errors in all cells | %s |%n", errors, errors == 0 ? "✓" : "✗"));
        return md.toString();
    }

    private static void ratioGoal(StringBuilder md, Map<SuiteModel, LoadResult> floors, List<SuiteCell> cells,
                                  String model, String variant, double ratio, double p99Ms, String goal) {
        Optional<SuiteCell> cell = find(cells, model, variant, "in-process", 8);
        if (cell.isEmpty()) {
            md.append("| ").append(goal).append(" | not measured in this run | – |\n");
            return;
        }
        LoadResult r = cell.get().result();
        double measured = r.perSecond() / floors.get(cell.get().model()).perSecond();
        boolean fast = ratio >= 1 ? measured > ratio : measured >= ratio;
        boolean tail = p99Ms <= 0 || r.p99Millis() < p99Ms;
        md.append(SuiteReport.f("| %s | %.0f%% of floor%s | %s |%n", goal, 100 * measured,
                p99Ms > 0 ? SuiteReport.f(", p99 %.2f ms", r.p99Millis()) : "", fast && tail ? "✓" : "✗"));
    }

    private static void launcherGoal(StringBuilder md, List<SuiteCell> cells, String model, String variant) {
        String goal = "process launcher ≥ 80% of in-process req/s, " + model + " c=8";
        Optional<SuiteCell> in = find(cells, model, variant, "in-process", 8);
        Optional<SuiteCell> out = find(cells, model, variant, "process", 8);
        if (in.isEmpty() || out.isEmpty()) {
            md.append("| ").append(goal).append(" | not measured in this run | – |\n");
            return;
        }
        double measured = out.get().result().perSecond() / in.get().result().perSecond();
        md.append(SuiteReport.f("| %s | %.0f%% | %s |%n", goal, 100 * measured, measured >= 0.8 ? "✓" : "✗"));
    }

    private static Optional<SuiteCell> find(List<SuiteCell> cells, String model, String variant, String launcher,
                                            int concurrency) {
        return cells.stream().filter(c -> !c.open() && c.model().key().equals(model) && c.variant().key().equals(variant)
                && c.launcher().equals(launcher) && c.concurrency() == concurrency).findFirst();
    }
}
