package dev.torpor.samples.bench;

import dev.torpor.fixtures.ChildRouter;
import java.util.Locale;
import java.util.Map;

/**
 * The markdown report of one bench run.
 *
 * <ul>
 *   <li><b>floor</b>: one ONNX Runtime call in the bench JVM (see {@link DirectOrt}); the per-call cost of the
 *       model itself, the best any server could do.</li>
 *   <li><b>Torpor warm</b>: one HTTP/1.1 infer request on a kept-alive loopback connection, concurrency 1, model
 *       already loaded: client send to last byte received. Includes the JDK HttpClient, the loopback TCP stack,
 *       the router (HTTP, JSON both ways, queueing, billing record) and the same ONNX Runtime call.</li>
 *   <li><b>÷ floor</b>: Torpor's percentile divided by the floor's same percentile. The ratio is the claim; the
 *       absolute numbers move with the machine and its other load.</li>
 *   <li><b>cold start</b>: unload the model (zero instances), then one infer request, client-timed from send to
 *       last byte; {@code torpor-queue-ms} is the server's own queue time for that request, which covers waiting
 *       for the model to load.</li>
 *   <li><b>RSS</b>: the child's {@code VmRSS}/{@code VmHWM} (see {@link ProcStatus}).</li>
 * </ul>
 */
final class Report {
    /** Everything one run measured. */
    record Run(Options options, String environment, DirectOrt.Result floor, Percentiles warm, Percentiles cold,
               double coldQueueMedianMs, ProcStatus idle, ProcStatus loaded, ProcStatus afterUnload,
               ProcStatus end, ChildRouter.Stop stop, Map<String, float[]> checkedOutputs, String command,
               String title, String extra) {
    }

    private Report() {
    }

    static String markdown(Run run) {
        Options o = run.options();
        Percentiles floor = run.floor().latency();
        Percentiles warm = run.warm();
        Percentiles cold = run.cold();
        StringBuilder md = new StringBuilder();
        md.append("## Torpor serve bench: ").append(run.title()).append("\n\n");
        md.append(run.environment()).append("\n\n");
        md.append(f("%d timed calls per row after %d warm-up calls; latencies in µs (p50/p99 nearest rank over "
                + "all samples), req/s = calls ÷ wall time of the timed loop.\n\n", o.requests(), o.warmup()));
        md.append("| path | p50 µs | p99 µs | mean µs | req/s | p50 ÷ floor | p99 ÷ floor |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|\n");
        md.append(f("| floor: ONNX Runtime direct, 1 thread, fresh tensors per call | %.1f | %.1f | %.1f | %.0f | 1.00 | 1.00 |\n",
                floor.p50Micros(), floor.p99Micros(), floor.meanMicros(), floor.perSecond()));
        md.append(f("| Torpor warm: HTTP/1.1 keep-alive, JSON, concurrency 1 | %.1f | %.1f | %.1f | %.0f | %.2f | %.2f |\n\n",
                warm.p50Micros(), warm.p99Micros(), warm.meanMicros(), warm.perSecond(),
                warm.p50Micros() / floor.p50Micros(), warm.p99Micros() / floor.p99Micros()));
        md.append(run.extra());

        md.append(f("| cold start (%d rounds: unload, then one infer) | p50 ms | min ms | max ms | median torpor-queue-ms |\n",
                cold.count()));
        md.append("|---|---:|---:|---:|---:|\n");
        md.append(f("| client send → last byte, every response `torpor-cold-start: true` | %.1f | %.1f | %.1f | %.1f |\n\n",
                cold.p50Millis(), cold.minMillis(), cold.maxMillis(), run.coldQueueMedianMs()));

        md.append("| Torpor child memory | VmRSS MiB | VmHWM MiB |\n");
        md.append("|---|---:|---:|\n");
        row(md, "idle: ready, model published, nothing loaded", run.idle());
        row(md, "loaded: after the warm phase", run.loaded());
        row(md, "2 s after POST …/unload (no GC can be forced from outside)", run.afterUnload());
        row(md, "end, before SIGTERM (VmHWM = peak of the whole run)", run.end());
        md.append('\n');

        ChildRouter.Stop stop = run.stop();
        md.append(f("SIGTERM → exit: %d ms, exit status %d%s.\n\n", stop.millis(), stop.exitCode(),
                stop.forced() ? " (did NOT exit within 60 s; killed with SIGKILL)" : ""));
        StringBuilder outputs = new StringBuilder();
        run.checkedOutputs().forEach((name, values) ->
                outputs.append(outputs.length() == 0 ? "" : ", ").append('`').append(name).append("` (")
                        .append(values.length).append(values.length == 1 ? " value" : " values").append(')'));
        md.append("Outputs: Torpor's answer equals ONNX Runtime's direct answer float for float: ")
                .append(outputs).append(".\n\n");
        md.append("Reproduce (from the repository root):\n\n```\n").append(run.command()).append("\n```\n");
        return md.toString();
    }

    private static void row(StringBuilder md, String label, ProcStatus status) {
        md.append(f("| %s | %.1f | %.1f |\n", label, status.rssMib(), status.hwmMib()));
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
