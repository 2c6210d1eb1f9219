package dev.torpor.samples.bench;

import java.util.Arrays;

/**
 * Summary of a set of latency samples, each one call timed with {@link System#nanoTime()}.
 *
 * <p>Percentiles use the nearest-rank rule on the sorted samples: {@code p50} is the smallest sample that is
 * at least as large as half of all samples, {@code p99} the smallest sample at least as large as 99 % of them.
 * Nothing is interpolated or bucketed: with 5000 samples, p99 is the 4950th smallest. {@code mean} is the
 * arithmetic mean of all samples. {@code perSecond} is throughput over the timed loop: the number of samples
 * divided by the wall time from the first call's start to the last call's end (this includes the loop's own
 * overhead between calls, which the per-call samples do not).
 */
record Percentiles(int count, long p50Nanos, long p99Nanos, long minNanos, long maxNanos, double meanNanos,
                   double perSecond) {

    /**
     * @param samples    per-call durations in nanoseconds (copied, not modified)
     * @param wallNanos  wall time of the whole timed loop, for {@link #perSecond()}
     */
    static Percentiles of(long[] samples, long wallNanos) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        long[] sorted = samples.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (long sample : sorted) {
            sum += sample;
        }
        return new Percentiles(sorted.length, rank(sorted, 0.50), rank(sorted, 0.99), sorted[0],
                sorted[sorted.length - 1], sum / sorted.length,
                wallNanos > 0 ? sorted.length / (wallNanos / 1e9) : Double.NaN);
    }

    /** Nearest rank: the sample at position ceil(q * n), counted from 1. */
    static long rank(long[] sorted, double q) {
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** The median of some values (nearest rank, as above); NaN when there are none. */
    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.ceil(0.5 * sorted.length) - 1];
    }

    double p50Micros() {
        return p50Nanos / 1e3;
    }

    double p99Micros() {
        return p99Nanos / 1e3;
    }

    double meanMicros() {
        return meanNanos / 1e3;
    }

    double p50Millis() {
        return p50Nanos / 1e6;
    }

    double minMillis() {
        return minNanos / 1e6;
    }

    double maxMillis() {
        return maxNanos / 1e6;
    }
}
