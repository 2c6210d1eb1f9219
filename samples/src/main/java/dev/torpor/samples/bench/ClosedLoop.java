package dev.torpor.samples.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Closed-loop load: {@code concurrency} workers, each with its own keep-alive connection, each sending the next
 * request as soon as the previous answer arrived, through a warm-up and then the measurement window. Latency is
 * from just before the write to the last byte of the body. (A closed loop slows down with the server, so its
 * latencies understate what clients arriving at a fixed rate would see: that is {@link OpenLoop}'s job.)
 */
final class ClosedLoop {
    private ClosedLoop() {
    }

    static LoadResult run(InetSocketAddress server, WireRequest request, int concurrency, Duration warmup,
                          Duration measure, long serverPid) throws InterruptedException {
        MeasureWindow window = new MeasureWindow(warmup, measure);
        List<Histogram> histograms = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            Histogram histogram = LoadResult.histogram();
            histograms.add(histogram);
            Thread worker = new Thread(() -> work(server, request, window, histogram), "closed-loop-" + w);
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
        return window.await(workers, histograms, serverPid);
    }

    private static void work(InetSocketAddress server, WireRequest request, MeasureWindow window, Histogram into) {
        try (HttpConnection connection = new HttpConnection(server)) {
            for (long started = System.nanoTime(); started < window.end; started = System.nanoTime()) {
                Outcome.record(connection, request, started, started, window, into);
            }
        }
    }

    /** One exchange, recorded when it started inside the window: its latency if 200, else its kind of failure. */
    static final class Outcome {
        private Outcome() {
        }

        /** @param intended when the request should have been sent (open loop), or when it was (closed loop) */
        static void record(HttpConnection connection, WireRequest request, long intended, long started,
                           MeasureWindow window, Histogram into) {
            try {
                HttpConnection.Response response = connection.exchange(request);
                long done = System.nanoTime();
                if (!window.inWindow(started)) {
                    return;
                }
                if (response.status() == 200) {
                    into.recordValue(done - intended);
                } else {
                    window.error("HTTP " + response.status());
                }
            } catch (IOException | RuntimeException failed) {
                if (window.inWindow(started)) {
                    window.error("io: " + failed.getClass().getSimpleName());
                }
                pause(); // a refused connection must not spin
            }
        }

        private static void pause() {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
