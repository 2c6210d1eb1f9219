package dev.torpor.samples.bench;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Open-loop load: requests are due at a fixed rate (request i at warm-up start + i ÷ rate), whatever the server
 * does, and each one's latency is measured from when it was <em>due</em>, not from when a connection got round to
 * sending it, so a stalled server is charged for every request it delayed (no coordinated omission). Up to
 * {@code connections} requests are outstanding; past that, due requests wait for a free connection and that wait
 * counts in their latency.
 */
final class OpenLoop {
    private OpenLoop() {
    }

    static LoadResult run(InetSocketAddress server, WireRequest request, double perSecond, int connections,
                          Duration warmup, Duration measure, long serverPid) throws InterruptedException {
        MeasureWindow window = new MeasureWindow(warmup, measure);
        double period = 1e9 / perSecond;
        AtomicLong next = new AtomicLong();
        List<Histogram> histograms = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < connections; w++) {
            Histogram histogram = LoadResult.histogram();
            histograms.add(histogram);
            Thread worker = new Thread(() -> {
                try (HttpConnection connection = new HttpConnection(server)) {
                    for (long due = due(window, period, next); due < window.end; due = due(window, period, next)) {
                        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                            LockSupport.parkNanos(wait);
                        }
                        ClosedLoop.Outcome.record(connection, request, due, due, window, histogram);
                    }
                }
            }, "open-loop-" + w);
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
        return window.await(workers, histograms, serverPid);
    }

    private static long due(MeasureWindow window, double period, AtomicLong next) {
        return window.warmStart + (long) (next.getAndIncrement() * period);
    }
}
