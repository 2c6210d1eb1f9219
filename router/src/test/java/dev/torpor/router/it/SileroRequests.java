package dev.torpor.router.it;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Map;

/** A fixed Silero VAD request, and the answer ONNX Runtime gives for it when called directly. */
final class SileroRequests {
    static final int SAMPLES = 512;

    private SileroRequests() {
    }

    /** A 440 Hz tone at 16 kHz: speech-like enough to move the model's output away from zero. */
    static float[] audio(int seed) {
        float[] audio = new float[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            audio[i] = (float) (0.5 * Math.sin(2 * Math.PI * 440 * (i + seed) / 16000.0));
        }
        return audio;
    }

    static String json(String id, float[] audio) {
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < audio.length; i++) {
            data.append(i == 0 ? "" : ",").append(audio[i]);
        }
        StringBuilder state = new StringBuilder();
        for (int i = 0; i < 2 * 128; i++) {
            state.append(i == 0 ? "" : ",").append("0");
        }
        return "{\"id\":\"" + id + "\",\"inputs\":["
                + "{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[1," + SAMPLES + "],\"data\":[" + data + "]},"
                + "{\"name\":\"state\",\"datatype\":\"FP32\",\"shape\":[2,1,128],\"data\":[" + state + "]},"
                + "{\"name\":\"sr\",\"datatype\":\"INT64\",\"shape\":[],\"data\":[16000]}]}";
    }

    /** The model's outputs by name, flattened, from ONNX Runtime called directly. */
    static Map<String, float[]> direct(Path model, float[] audio) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model.toString(), new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(audio), new long[] {1, SAMPLES});
             OnnxTensor state = OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[256]), new long[] {2, 1, 128});
             OnnxTensor sr = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {16000}), new long[] {});
             OrtSession.Result result = session.run(Map.of("input", input, "state", state, "sr", sr))) {
            Map<String, float[]> outputs = new java.util.HashMap<>();
            result.forEach(entry -> {
                FloatBuffer buffer = ((OnnxTensor) entry.getValue()).getFloatBuffer();
                float[] values = new float[buffer.remaining()];
                buffer.get(values);
                outputs.put(entry.getKey(), values);
            });
            return outputs;
        }
    }

    static float[] floats(com.fasterxml.jackson.databind.JsonNode data) {
        float[] values = new float[data.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) data.get(i).asDouble();
        }
        return values;
    }
}
