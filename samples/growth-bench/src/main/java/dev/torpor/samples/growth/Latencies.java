package dev.torpor.samples.growth;

import java.util.Arrays;

/** Percentiles (nearest rank) of request latencies, in microseconds. */
record Latencies(int count, double p50Micros, double p99Micros) {

    static Latencies of(long[] nanos) {
        if (nanos.length == 0) {
            throw new IllegalArgumentException("no latencies");
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new Latencies(sorted.length, rank(sorted, 0.50) / 1000.0, rank(sorted, 0.99) / 1000.0);
    }

    /** The nearest-rank percentile: the smallest value with at least {@code q} of the samples at or below it. */
    static long rank(long[] sorted, double q) {
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
