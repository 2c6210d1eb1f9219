package dev.torpor.samples.bench;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The floor of one model for the suite: {@link DirectOrt#call} in a loop on this one thread, through a warm-up and
 * a measurement window, on a session with one intra-op and one inter-op thread. Its req/s is the single-thread
 * figure every Torpor row is divided by; its latency is per call.
 */
final class FloorLoop implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final BenchInput input;

    FloorLoop(Path model, BenchInput input) throws OrtException {
        this.input = input;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(model.toString(), options);
        }
    }

    /** The outputs Torpor's must equal. */
    Map<String, float[]> reference() throws OrtException {
        return DirectOrt.call(env, session, input);
    }

    LoadResult measure(Duration warmup, Duration measure) throws OrtException {
        MeasureWindow window = new MeasureWindow(warmup, measure);
        Histogram latency = LoadResult.histogram();
        long clientCpu = 0;
        boolean sampled = false;
        for (long started = System.nanoTime(); started < window.end; started = System.nanoTime()) {
            if (!sampled && window.inWindow(started)) {
                clientCpu = -CpuClock.client();
                sampled = true;
            }
            DirectOrt.call(env, session, input);
            if (window.inWindow(started)) {
                latency.recordValue(System.nanoTime() - started);
            }
        }
        clientCpu += CpuClock.client();
        long windowNanos = window.end - window.start;
        return new LoadResult(latency, latency.getTotalCount(), windowNanos, Map.of(),
                (double) clientCpu / windowNanos, 0);
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
