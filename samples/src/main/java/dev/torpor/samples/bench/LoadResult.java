package dev.torpor.samples.bench;

import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * One measured cell: the latencies of the successful requests that started inside the measurement window (ns),
 * how many there were, the window's length, the failures by kind ("HTTP 503", "io: …"), and the CPU the client
 * (this JVM) and the server (the router and its function processes) used during the window, in cores.
 */
record LoadResult(Histogram latency, long count, long windowNanos, Map<String, Long> errors, double clientCores,
                  double serverCores) {
    /** Latencies are recorded in ns, up to an hour, to 3 significant digits. */
    static Histogram histogram() {
        return new Histogram(3_600_000_000_000L, 3);
    }

    double perSecond() {
        return count * 1e9 / windowNanos;
    }

    double p50Millis() {
        return latency.getValueAtPercentile(50) / 1e6;
    }

    double p99Millis() {
        return latency.getValueAtPercentile(99) / 1e6;
    }

    long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The tail rule: p99 ≤ max(5 × p50, p50 + 2 ms). */
    boolean tailDisciplined() {
        return p99Millis() <= Math.max(5 * p50Millis(), p50Millis() + 2);
    }

    String errorsText() {
        return errors.isEmpty() ? "0" : new TreeMap<>(errors).toString();
    }

    /** Two runs of the same thing, one after the other, as one (latencies merged, counts and windows added). */
    LoadResult plus(LoadResult other) {
        Histogram merged = latency.copy();
        merged.add(other.latency);
        Map<String, Long> allErrors = new TreeMap<>(errors);
        other.errors.forEach((kind, n) -> allErrors.merge(kind, n, Long::sum));
        long window = windowNanos + other.windowNanos;
        return new LoadResult(merged, count + other.count, window, allErrors,
                (clientCores * windowNanos + other.clientCores * other.windowNanos) / window,
                (serverCores * windowNanos + other.serverCores * other.windowNanos) / window);
    }
}
