package dev.torpor.function.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import dev.torpor.fixtures.SampleModels;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.RunControl;
import dev.torpor.function.RuntimeOptions;
import dev.torpor.function.Session;
import dev.torpor.function.Tensor;
import dev.torpor.store.DataType;
import dev.torpor.store.ModelManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrtModelCacheTest {
    @TempDir
    Path cacheDir;

    private static InferenceRequest silero() {
        float[] frame = new float[512];
        for (int i = 0; i < frame.length; i++) {
            frame[i] = (float) Math.sin(i * 0.05) * 0.3f;
        }
        return new InferenceRequest(null, List.of(new Tensor("input", DataType.FP32, new long[] {1, 512}, frame),
                new Tensor("state", DataType.FP32, new long[] {2, 1, 128}, new float[256]),
                new Tensor("sr", DataType.INT64, new long[] {}, new long[] {16000})), List.of());
    }

    @Test
    void theFirstLoadSavesTheOptimizedModelAndLaterLoadsAnswerTheSameFromIt() throws Exception {
        Path model = SampleModels.silero();
        ModelManifest manifest = Samples.manifest("vad", model);
        OrtModelCache cache = new OrtModelCache(cacheDir);
        OnnxBackend cached = new OnnxBackend(OrtEnvironment.getEnvironment(), cache);
        List<Tensor> plain;
        try (Session session = new OnnxBackend().open(manifest, model, RuntimeOptions.DEFAULT)) {
            plain = session.run(silero(), new RunControl());
        }
        Path entry = cache.entry(manifest, OrtEnvironment.getEnvironment().getVersion(), "cpu", "opt=all,intra=1,inter=1");
        try (Session first = cached.open(manifest, model, RuntimeOptions.DEFAULT)) {
            assertThat(first.run(silero(), new RunControl())).isEqualTo(plain);
        }
        assertThat(entry).isRegularFile();
        try (var files = Files.list(cacheDir)) {
            assertThat(files.toList()).as("no temporary file left").containsExactly(entry);
        }
        try (Session second = cached.open(manifest, model, RuntimeOptions.DEFAULT)) {
            assertThat(second.run(silero(), new RunControl())).isEqualTo(plain);
        }
        // Other session options or another ORT version get another entry.
        assertThat(cache.entry(manifest, "9.9.9", "cpu", "opt=all,intra=1,inter=1")).isNotEqualTo(entry);
        assertThat(cache.entry(manifest, OrtEnvironment.getEnvironment().getVersion(), "cpu", "opt=all,intra=2,inter=1"))
                .isNotEqualTo(entry);
    }

    @Test
    void aCorruptEntryIsReplaced() throws Exception {
        Path model = SampleModels.silero();
        ModelManifest manifest = Samples.manifest("vad", model);
        OrtModelCache cache = new OrtModelCache(cacheDir);
        Path entry = cache.entry(manifest, OrtEnvironment.getEnvironment().getVersion(), "cpu", "opt=all,intra=1,inter=1");
        Files.write(entry, new byte[] {1, 2, 3});
        try (Session session = new OnnxBackend(OrtEnvironment.getEnvironment(), cache)
                .open(manifest, model, RuntimeOptions.DEFAULT)) {
            assertThat(session.run(silero(), new RunControl())).hasSize(2);
        }
        assertThat(Files.size(entry)).isGreaterThan(3);
    }
}
