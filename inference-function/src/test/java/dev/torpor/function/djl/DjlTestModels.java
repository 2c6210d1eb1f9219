package dev.torpor.function.djl;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.initializer.NormalInitializer;
import dev.torpor.store.ModelFormat;
import dev.torpor.store.ModelManifest;
import dev.torpor.store.Signature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;

/**
 * The DJL-format MLP the unit tests serve, built here, with its inputs and manifests (the TorchScript sample and
 * DJL's reference answers: {@code SampleModels} and {@code DjlReference} in test-fixtures).
 */
final class DjlTestModels {
    static final String MLP_JSON = """
            {"format": "djl", "engine": "PyTorch", "file": "mlp-0000.params",
             "block": "mlp", "blockArguments": {"hidden": [16], "outputs": 1},
             "inputs":  [{"name": "x", "datatype": "FP32", "shape": [-1, 8]}],
             "outputs": [{"name": "y", "datatype": "FP32", "shape": [-1, 1]}]}""";

    private DjlTestModels() {
    }

    /** Writes {@code mlp-0000.params} (random weights, fixed seed) and its model.json into {@code dir}. */
    static Path djlMlp(Path dir) throws Exception {
        Engine.getEngine(DjlBackend.PYTORCH).setRandomSeed(7);
        try (Model model = Model.newInstance("mlp", DjlBackend.PYTORCH)) {
            Block block = DjlBlocks.mlp(List.of(16), 1, "relu");
            block.setInitializer(new NormalInitializer(), ai.djl.nn.Parameter.Type.WEIGHT);
            block.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 8));
            model.setBlock(block);
            model.save(dir, "mlp");
        }
        Files.writeString(dir.resolve("model.json"), MLP_JSON);
        return dir.resolve("mlp-0000.params");
    }

    static float[] input(int rows, long seed) {
        Random random = new Random(seed);
        float[] values = new float[rows * 8];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    static ModelManifest manifest(String name, ModelFormat format, String engine, String file, Signature signature) {
        return new ModelManifest(name, "1", "default", format, engine, file, "0".repeat(64), 0, Instant.EPOCH,
                signature, 64);
    }

}
