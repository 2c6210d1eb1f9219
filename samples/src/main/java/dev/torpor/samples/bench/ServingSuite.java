package dev.torpor.samples.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code samples/bench.sh suite}: per model, the floor ({@link FloorLoop}) and Torpor under each launcher
 * ({@link SuiteRouter}, both children running for the whole suite) at each concurrency, interleaved — floor,
 * then for each concurrency every variant under every launcher, then an open-loop cell, then the floor again —
 * so that the machine's drift (a shared 2-core VM) spreads over all configurations instead of favouring whichever
 * ran first. Every variant's outputs are checked against the floor's once per launcher. Prints the markdown
 * report ({@link SuiteReport}) on stdout, progress on stderr.
 */
public final class ServingSuite {
    private ServingSuite() {
    }

    public static void main(String[] args) {
        Cli.run("suite", () -> run(SuiteOptions.parse(args)));
    }

    private static void run(SuiteOptions options) throws Exception {
        for (SuiteModel model : options.models()) {
            Path file = options.modelsDir().resolve(model.file());
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("no model at " + file + " (run samples/fetch-models.sh)");
            }
        }
        List<SuiteRouter> routers = new ArrayList<>();
        boolean ok = false;
        try {
            for (String launcher : options.launchers()) {
                progress("starting Torpor (%s launcher) and publishing the models", launcher);
                routers.add(SuiteRouter.start(options, launcher));
            }
            Map<SuiteModel, LoadResult> floors = new LinkedHashMap<>();
            Map<String, Double> deviations = new LinkedHashMap<>();
            List<SuiteCell> cells = new ArrayList<>();
            for (SuiteModel model : options.models()) {
                floors.put(model, measureModel(options, model, routers, cells, deviations));
            }
            String markdown = SuiteReport.markdown(options, routers, floors, cells, deviations);
            Cli.publish(markdown, options.out(), "suite");
            ok = true;
        } catch (Exception | Error e) {
            routers.forEach(router -> System.err.println(router.logTail()));
            throw e;
        } finally {
            for (SuiteRouter router : routers) {
                boolean keep = options.keep() || !ok;
                router.stop(keep);
                if (keep) {
                    progress("%s child's files kept: %s", router.launcher, router.log().getParent());
                }
            }
        }
    }

    private static LoadResult measureModel(SuiteOptions options, SuiteModel model, List<SuiteRouter> routers,
                                           List<SuiteCell> cells, Map<String, Double> deviations) throws Exception {
        try (FloorLoop floor = new FloorLoop(options.modelsDir().resolve(model.file()), model.input())) {
            Map<String, float[]> reference = floor.reference();
            progress("%s: floor", model.label());
            LoadResult before = floor.measure(options.floorWarmup(), options.measure());
            progress("%s: floor %.0f req/s, p50 %.3f ms", model.label(), before.perSecond(), before.p50Millis());
            for (SuiteModel.Variant variant : model.variants()) {
                for (SuiteRouter router : routers) {
                    // The first request also loads the model (a cold start, outside any window).
                    double worst = ServedOutputs.requireClose(reference, router.once(router.request(model, variant)),
                            model.label() + " " + variant.label() + " " + router.launcher);
                    deviations.put(model.key() + "/" + variant.key() + "/" + router.launcher, worst);
                }
            }
            for (int concurrency : options.concurrency()) {
                for (SuiteModel.Variant variant : model.variants()) {
                    for (SuiteRouter router : routers) {
                        LoadResult result = ClosedLoop.run(router.address(), router.request(model, variant),
                                concurrency, options.warmup(), options.measure(), router.pid());
                        cells.add(report(new SuiteCell(model, variant, router.launcher, concurrency, 0, result), before));
                    }
                }
            }
            if (options.openLoopFraction() > 0) {
                for (SuiteModel.Variant variant : model.variants()) {
                    SuiteRouter router = routers.get(0);
                    double rate = cells.stream().filter(c -> c.model() == model && c.variant() == variant
                                    && c.launcher().equals(router.launcher) && !c.open())
                            .max(java.util.Comparator.comparingInt(c -> c.concurrency() == 8 ? Integer.MAX_VALUE : c.concurrency()))
                            .map(c -> c.result().perSecond() * options.openLoopFraction()).orElse(0.0);
                    if (rate > 0) {
                        LoadResult result = OpenLoop.run(router.address(), router.request(model, variant), rate, 32,
                                options.warmup(), options.measure(), router.pid());
                        cells.add(report(new SuiteCell(model, variant, router.launcher, 32, rate, result), before));
                    }
                }
            }
            LoadResult after = floor.measure(options.floorWarmup(), options.measure());
            progress("%s: floor again %.0f req/s, p50 %.3f ms", model.label(), after.perSecond(), after.p50Millis());
            return before.plus(after);
        }
    }

    private static SuiteCell report(SuiteCell cell, LoadResult floor) {
        LoadResult r = cell.result();
        progress("%s %s %s %s: %.0f req/s (%.2f× floor), p50 %.3f ms, p99 %.3f ms, errors %s, client %.2f cores,"
                        + " server %.2f cores", cell.model().label(), cell.variant().label(), cell.launcher(), cell.load(),
                r.perSecond(), r.perSecond() / floor.perSecond(), r.p50Millis(), r.p99Millis(), r.errorsText(),
                r.clientCores(), r.serverCores());
        return cell;
    }

    static void progress(String format, Object... args) {
        System.err.println("suite: " + String.format(Locale.ROOT, format, args));
    }
}
