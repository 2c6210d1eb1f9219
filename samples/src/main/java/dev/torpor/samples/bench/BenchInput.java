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

    /** The request for a model, chosen by its file name (see {@link TensorsInput}); Silero VAD otherwise. */
    static TensorsInput forModel(Path model) {
        String name = model.getFileName().toString();
        if (name.contains("ocr_rec")) {
            return TensorsInput.ocrRec();
        }
        if (name.contains("ocr")) {
            return TensorsInput.ocrCls();
        }
        if (name.contains("deepa")) {
            return TensorsInput.wakeWord();
        }
        return TensorsInput.silero();
    }
}
