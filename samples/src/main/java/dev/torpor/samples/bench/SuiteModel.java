package dev.torpor.samples.bench;

import java.util.List;

/**
 * A model of the serving suite: its cached file (samples/fetch-models.sh), its request, and the ways it is served
 * ({@link Variant}s), each published under its own name so that configs (batching) differ.
 */
record SuiteModel(String key, String label, String file, TensorsInput input, List<Variant> variants) {
    /** One way of serving the model: the name it is published under, the request format, and batching. */
    record Variant(String key, String routerName, RequestFormat format, int maxBatchSize, int maxDelayMicros) {
        boolean batched() {
            return maxBatchSize > 1;
        }

        String label() {
            return format.label + (batched() ? ", batching ≤" + maxBatchSize + " / " + maxDelayMicros + " µs" : "");
        }
    }

    static final List<SuiteModel> ALL = List.of(
            new SuiteModel("wakeword", "openWakeWord head", "hello_deepa.onnx", TensorsInput.wakeWord(),
                    List.of(new Variant("json", "oww", RequestFormat.JSON, 1, 0))),
            new SuiteModel("silero", "Silero VAD", "silero_vad.onnx", TensorsInput.silero(),
                    List.of(new Variant("json", "vad", RequestFormat.JSON, 1, 0))),
            new SuiteModel("ocr_cls", "PaddleOCR cls", "ocr_cls.onnx", TensorsInput.ocrCls(),
                    List.of(new Variant("binary", "ocr_cls", RequestFormat.BINARY, 1, 0),
                            new Variant("batched", "ocr_cls_b8", RequestFormat.BINARY, 8, 2000))),
            new SuiteModel("ocr_rec", "PaddleOCR rec", "ocr_rec.onnx", TensorsInput.ocrRec(),
                    List.of(new Variant("json-binout", "ocr_rec", RequestFormat.JSON_IN_BINARY_OUT, 1, 0))));

    static SuiteModel byKey(String key) {
        return ALL.stream().filter(model -> model.key.equals(key)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown model " + key + " (known: "
                        + ALL.stream().map(SuiteModel::key).toList() + ")"));
    }
}
