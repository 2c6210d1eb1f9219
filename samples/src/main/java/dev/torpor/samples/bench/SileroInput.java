package dev.torpor.samples.bench;

/**
 * The one Silero VAD request the bench sends, in both forms: Java arrays for ONNX Runtime and a KServe V2 JSON
 * body for Torpor. Both carry exactly the same values, so their outputs must be equal bit for bit.
 *
 * <p>{@code input} FP32 [1,512]: a 440 Hz tone at 16 kHz, amplitude 0.5 (as in the router's integration tests);
 * {@code state} FP32 [2,1,128]: zeros; {@code sr} INT64 scalar (shape []): 16000.
 */
final class SileroInput implements BenchInput {
    static final int SAMPLES = 512;
    static final long[] INPUT_SHAPE = {1, SAMPLES};
    static final long[] STATE_SHAPE = {2, 1, 128};
    static final long[] SR_SHAPE = {};
    static final long SAMPLE_RATE = 16000;

    final float[] audio;
    final float[] state = new float[2 * 128];
    final long[] sampleRate = {SAMPLE_RATE};

    private SileroInput(float[] audio) {
        this.audio = audio;
    }

    static SileroInput tone() {
        float[] audio = new float[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            audio[i] = (float) (0.5 * Math.sin(2 * Math.PI * 440 * i / 16000.0));
        }
        return new SileroInput(audio);
    }

    /**
     * The infer request body. Floats are written with {@link Float#toString(float)}, the shortest decimal that
     * parses back to the same float, so the server sees exactly {@link #audio}.
     */
    @Override
    public String describe() {
        return "Silero VAD, one 512-sample frame";
    }

    @Override
    public java.util.Map<String, ai.onnxruntime.OnnxTensor> tensors(ai.onnxruntime.OrtEnvironment env)
            throws ai.onnxruntime.OrtException {
        return java.util.Map.of(
                "input", ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(audio), INPUT_SHAPE),
                "state", ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(state), STATE_SHAPE),
                "sr", ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.LongBuffer.wrap(sampleRate), SR_SHAPE));
    }

    @Override
    public String json() {
        StringBuilder body = new StringBuilder(8192);
        body.append("{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1,").append(SAMPLES)
                .append("],\"data\":[");
        for (int i = 0; i < audio.length; i++) {
            body.append(i == 0 ? "" : ",").append(audio[i]);
        }
        body.append("]},{\"name\":\"state\",\"datatype\":\"FP32\",\"shape\":[2,1,128],\"data\":[");
        for (int i = 0; i < state.length; i++) {
            body.append(i == 0 ? "" : ",").append(state[i]);
        }
        body.append("]},{\"name\":\"sr\",\"datatype\":\"INT64\",\"shape\":[],\"data\":[").append(SAMPLE_RATE)
                .append("]}]}");
        return body.toString();
    }
}
