package dev.torpor.samples.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * The PaddleOCR text-direction classifier's input ({@code ocr_cls.onnx}): {@code x} FP32 [1,3,48,192], a
 * normalized (−1..1) synthetic text-line crop: horizontal stripes with a deterministic ripple.
 */
final class OcrClsInput implements BenchInput {
    static final long[] SHAPE = {1, 3, 48, 192};
    final float[] pixels = new float[3 * 48 * 192];

    static OcrClsInput line() {
        OcrClsInput input = new OcrClsInput();
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 48; y++) {
                for (int x = 0; x < 192; x++) {
                    double ink = (y / 6) % 2 == 0 ? 0.8 : -0.8;
                    input.pixels[(c * 48 + y) * 192 + x] = (float) (ink * Math.cos(x * 0.21 + c));
                }
            }
        }
        return input;
    }

    @Override
    public String describe() {
        return "PaddleOCR text-direction classifier, one 3×48×192 crop";
    }

    @Override
    public String json() {
        StringBuilder body = new StringBuilder(pixels.length * 12);
        body.append("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[1,3,48,192],\"data\":[");
        for (int i = 0; i < pixels.length; i++) {
            body.append(i == 0 ? "" : ",").append(pixels[i]);
        }
        return body.append("]}]}").toString();
    }

    @Override
    public Map<String, OnnxTensor> tensors(OrtEnvironment env) throws OrtException {
        return Map.of("x", OnnxTensor.createTensor(env, FloatBuffer.wrap(pixels), SHAPE));
    }
}
