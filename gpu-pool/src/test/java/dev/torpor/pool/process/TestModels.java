package dev.torpor.pool.process;

import dev.torpor.fixtures.SampleModels;
import dev.torpor.function.BackendRegistry;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.RuntimeOptions;
import dev.torpor.function.Tensor;
import dev.torpor.function.onnx.OnnxBackend;
import dev.torpor.pool.Device;
import dev.torpor.pool.LaunchSpec;
import dev.torpor.store.ArchiveLimits;
import dev.torpor.store.DataType;
import dev.torpor.store.FileSystemModelStore;
import dev.torpor.store.ModelId;
import dev.torpor.store.ModelManifest;
import dev.torpor.store.PublishRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** Publishes the cached Silero VAD sample into a real store, and builds requests for it. */
public final class TestModels {
    public final FileSystemModelStore store;
    final BackendRegistry backends = new BackendRegistry(List.of(new OnnxBackend()));

    public TestModels(Path dataDir) {
        store = new FileSystemModelStore(dataDir.resolve("models"), Clock.systemUTC(), ArchiveLimits.defaults());
    }

    public ModelManifest publishSilero(String name) throws IOException {
        try (InputStream upload = Files.newInputStream(SampleModels.silero())) {
            return store.publish(new PublishRequest(new ModelId(name, "1"), "default",
                    PublishRequest.UploadKind.ONNX_FILE, 64L << 20), upload, backends);
        }
    }

    public LaunchSpec spec(String instanceId, ModelManifest manifest, int concurrency) {
        return new LaunchSpec(instanceId, manifest, store.artifact(manifest), Device.cpu(1024), RuntimeOptions.DEFAULT,
                concurrency, manifest.estimatedMemoryMb());
    }

    public static InferenceRequest sileroRequest(int seed) {
        float[] frame = new float[512];
        for (int i = 0; i < frame.length; i++) {
            frame[i] = (float) Math.sin((i + seed) * 0.05) * 0.3f;
        }
        return new InferenceRequest("r" + seed, List.of(
                new Tensor("input", DataType.FP32, new long[] {1, 512}, frame),
                new Tensor("state", DataType.FP32, new long[] {2, 1, 128}, new float[256]),
                new Tensor("sr", DataType.INT64, new long[] {}, new long[] {16000})), List.of());
    }
}
