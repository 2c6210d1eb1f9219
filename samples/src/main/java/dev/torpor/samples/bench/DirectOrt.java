package dev.torpor.samples.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The floor: what one inference costs with nothing but ONNX Runtime, in this JVM, on one thread.
 *
 * <p>Session options match what Torpor's ONNX engine uses by default (intra-op and inter-op threads 1,
 * {@code ALL_OPT} graph optimisation). Every timed call does what a server must do per request and no more:
 * build fresh {@link OnnxTensor}s from the same Java arrays (which copies them into native memory), run the
 * session, copy every output back into a Java {@code float[]}, and close tensors and results. It excludes
 * everything a server adds: HTTP, JSON, queueing, scheduling, billing.
 */
final class DirectOrt {
    /** The floor's numbers, and its outputs for the request ({@link TensorsInput}), the reference Torpor must equal. */
    record Result(Percentiles latency, Map<String, float[]> outputs, String ortVersion) {
    }

    private DirectOrt() {
    }

    static Result measure(Path model, BenchInput input, int warmup, int requests) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession session = env.createSession(model.toString(), options)) {
                Map<String, float[]> reference = call(env, session, input);
                for (int i = 0; i < warmup; i++) {
                    call(env, session, input);
                }
                long[] samples = new long[requests];
                long loopStart = System.nanoTime();
                for (int i = 0; i < requests; i++) {
                    long start = System.nanoTime();
                    call(env, session, input);
                    samples[i] = System.nanoTime() - start;
                }
                long wall = System.nanoTime() - loopStart;
                return new Result(Percentiles.of(samples, wall), reference, env.getVersion());
            }
        }
    }

    /** One inference, fresh tensors in, every output copied out (by name, flattened row-major). */
    static Map<String, float[]> call(OrtEnvironment env, OrtSession session, BenchInput input) throws OrtException {
        Map<String, OnnxTensor> inputs = input.tensors(env);
        try (OrtSession.Result result = session.run(inputs)) {
            Map<String, float[]> outputs = new LinkedHashMap<>();
            for (Map.Entry<String, OnnxValue> entry : result) {
                FloatBuffer buffer = ((OnnxTensor) entry.getValue()).getFloatBuffer();
                float[] values = new float[buffer.remaining()];
                buffer.get(values);
                outputs.put(entry.getKey(), values);
            }
            return outputs;
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }
}
