package dev.torpor.samples.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.nio.file.Path;
import java.util.Map;

/** The one request the bench sends, as a V2 JSON body for Torpor and as ORT tensors for the floor. */
interface BenchInput {
    /** What the request is, for the report's title. */
    String describe();

    String json();

    /** Fresh tensors carrying exactly the JSON's values; the caller closes them. */
    Map<String, OnnxTensor> tensors(OrtEnvironment env) throws OrtException;

    /** Silero VAD's frame, or the PaddleOCR classifier's text-line crop when the model's file name says "ocr". */
    static BenchInput forModel(Path model) {
        return model.getFileName().toString().contains("ocr") ? OcrClsInput.line() : SileroInput.tone();
    }
}
