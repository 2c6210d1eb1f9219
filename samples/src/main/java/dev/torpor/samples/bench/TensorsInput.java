package dev.torpor.samples.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one request the bench sends to a model: deterministic, realistic data built from the model's input
 * shapes (no randomness, so every run sends the same bytes).
 */
final class TensorsInput implements BenchInput {
    private final String description;
    private final List<InputTensor> tensors;

    TensorsInput(String description, List<InputTensor> tensors) {
        this.description = description;
        this.tensors = List.copyOf(tensors);
    }

    /**
     * Silero VAD: {@code input} FP32 [1,512] a 440 Hz tone at 16 kHz, amplitude 0.5 (as in the router's
     * integration tests); {@code state} FP32 [2,1,128] zeros; {@code sr} INT64 scalar 16000.
     */
    static TensorsInput silero() {
        float[] audio = new float[512];
        for (int i = 0; i < audio.length; i++) {
            audio[i] = (float) (0.5 * Math.sin(2 * Math.PI * 440 * i / 16000.0));
        }
        return new TensorsInput("Silero VAD, one 512-sample frame", List.of(
                InputTensor.fp32("input", new long[] {1, 512}, audio),
                InputTensor.fp32("state", new long[] {2, 1, 128}, new float[2 * 128]),
                InputTensor.int64("sr", new long[] {}, new long[] {16000})));
    }

    /** PaddleOCR's classifier: {@code x} FP32 [1,3,48,192], a normalized (−1..1) synthetic text-line crop. */
    static TensorsInput ocrCls() {
        return new TensorsInput("PaddleOCR text-direction classifier, one 3×48×192 crop",
                List.of(InputTensor.fp32("x", new long[] {1, 3, 48, 192}, textLine(192))));
    }

    /**
     * PaddleOCR's v4 recogniser: {@code x} FP32 [1,3,48,320], the same kind of crop, wider; its output is
     * [1,40,6625] FP32 (~1 MB).
     */
    static TensorsInput ocrRec() {
        return new TensorsInput("PaddleOCR v4 recogniser, one 3×48×320 crop (output 1×40×6625, ~1 MB)",
                List.of(InputTensor.fp32("x", new long[] {1, 3, 48, 320}, textLine(320))));
    }

    /**
     * The openWakeWord "hello deepa" head: FP32 [1,25,96], 25 frames of the embedding model's 96 features. Real
     * embeddings are smooth in time and of order 1; a slow ripple per feature stands in for them.
     */
    static TensorsInput wakeWord() {
        float[] features = new float[25 * 96];
        for (int frame = 0; frame < 25; frame++) {
            for (int f = 0; f < 96; f++) {
                features[frame * 96 + f] = (float) (Math.sin(0.3 * frame + 0.7 * f) + 0.25 * Math.cos(1.3 * f));
            }
        }
        return new TensorsInput("openWakeWord hello_deepa head, 25×96 embedding features",
                List.of(InputTensor.fp32("onnx::Flatten_0", new long[] {1, 25, 96}, features)));
    }

    /** Horizontal stripes with a deterministic ripple, 3 channels, 48 rows, {@code width} columns, in −1..1. */
    private static float[] textLine(int width) {
        float[] pixels = new float[3 * 48 * width];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 48; y++) {
                for (int x = 0; x < width; x++) {
                    double ink = (y / 6) % 2 == 0 ? 0.8 : -0.8;
                    pixels[(c * 48 + y) * width + x] = (float) (ink * Math.cos(x * 0.21 + c));
                }
            }
        }
        return pixels;
    }

    List<InputTensor> inputs() {
        return tensors;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public String json() {
        return RequestFormat.JSON.jsonHeader(tensors);
    }

    @Override
    public Map<String, OnnxTensor> tensors(OrtEnvironment env) throws OrtException {
        Map<String, OnnxTensor> fresh = new LinkedHashMap<>();
        try {
            for (InputTensor tensor : tensors) {
                fresh.put(tensor.name(), tensor.toOrt(env));
            }
            return fresh;
        } catch (OrtException | RuntimeException e) {
            fresh.values().forEach(OnnxTensor::close);
            throw e;
        }
    }
}
