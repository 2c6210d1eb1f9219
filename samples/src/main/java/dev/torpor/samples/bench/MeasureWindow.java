package dev.torpor.samples.bench;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The clock of one cell: a warm-up, then the measurement window. Workers keep working through both and record
 * only what started inside the window; the coordinator samples CPU at the window's edges.
 */
final class MeasureWindow {
    final long warmStart;
    final long start;
    final long end;
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    private long clientCpu;
    private long serverCpu;

    MeasureWindow(Duration warmup, Duration measure) {
        warmStart = System.nanoTime();
        start = warmStart + warmup.toNanos();
        end = start + measure.toNanos();
    }

    boolean inWindow(long startedAt) {
        return startedAt >= start && startedAt < end;
    }

    void error(String kind) {
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    /** On the coordinator: sleeps to the window's start, samples CPU, sleeps to its end, samples again. */
    void sampleCpu(long serverPid) throws InterruptedException {
        sleepUntil(start);
        clientCpu = -CpuClock.client();
        serverCpu = -CpuClock.tree(serverPid);
        sleepUntil(end);
        clientCpu += CpuClock.client();
        serverCpu += CpuClock.tree(serverPid);
    }

    /**
     * Samples the CPU over the window while the workers run, waits for them, and merges their histograms (one per
     * worker, so they never contend) into the result.
     */
    LoadResult await(java.util.List<Thread> workers, java.util.List<org.HdrHistogram.Histogram> histograms,
                     long serverPid) throws InterruptedException {
        sampleCpu(serverPid);
        org.HdrHistogram.Histogram all = LoadResult.histogram();
        for (int w = 0; w < workers.size(); w++) {
            workers.get(w).join(120_000);
            all.add(histograms.get(w));
        }
        return result(all);
    }

    LoadResult result(org.HdrHistogram.Histogram latency) {
        Map<String, Long> counted = new java.util.TreeMap<>();
        errors.forEach((kind, n) -> counted.put(kind, n.sum()));
        long window = end - start;
        return new LoadResult(latency, latency.getTotalCount(), window, counted, (double) clientCpu / window,
                (double) serverCpu / window);
    }

    static void sleepUntil(long nanoTime) throws InterruptedException {
        for (long left = nanoTime - System.nanoTime(); left > 0; left = nanoTime - System.nanoTime()) {
            Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        }
    }
}
