package dev.torpor.router.it;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The sample models that {@code samples/fetch-models.sh} caches. A missing model fails the test loudly:
 * a test that skips itself proves nothing.
 */
final class SampleModels {
    private SampleModels() {
    }

    static Path silero() {
        return find("silero_vad.onnx");
    }

    static Path ocrClassifier() {
        return find("ocr_cls.onnx");
    }

    private static Path find(String file) {
        String dir = System.getProperty("torpor.samples.dir");
        if (dir == null) {
            throw new IllegalStateException("system property torpor.samples.dir is not set (surefire sets it)");
        }
        Path model = Path.of(dir, file);
        if (!Files.isRegularFile(model)) {
            throw new IllegalStateException(model + " is missing: run samples/fetch-models.sh first");
        }
        return model;
    }
}
