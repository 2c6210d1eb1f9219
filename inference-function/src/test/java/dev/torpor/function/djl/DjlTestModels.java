package dev.torpor.function.djl;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.translate.NoopTranslator;
import dev.torpor.store.ModelFormat;
import dev.torpor.store.ModelManifest;
import dev.torpor.store.Signature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;

/** The DJL models the unit tests serve: the TorchScript sample, and a DJL-format MLP built here. */
final class DjlTestModels {
    static final String MLP_JSON = """
            {"format": "djl", "engine": "PyTorch", "file": "mlp-0000.params",
             "block": "mlp", "blockArguments": {"hidden": [16], "outputs": 1},
             "inputs":  [{"name": "x", "datatype": "FP32", "shape": [-1, 8]}],
             "outputs": [{"name": "y", "datatype": "FP32", "shape": [-1, 1]}]}""";

    private DjlTestModels() {
    }

    /** The TorchScript sample that samples/make-torchscript.sh makes; missing fails the test. */
    static Path torchscript() {
        String dir = System.getProperty("torpor.samples.dir");
        assertThat(dir).as("system property torpor.samples.dir (surefire sets it)").isNotNull();
        Path path = Path.of(dir, "mlp.pt");
        assertThat(path).as("TorchScript sample %s: run samples/make-torchscript.sh", path).isRegularFile();
        return path;
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

    /** DJL called directly on {@code modelPath} (a file, or a directory with {@code block}): the reference answer. */
    static float[] direct(Path modelPath, String engine, Block block, float[] x, int rows) throws Exception {
        Criteria.Builder<NDList, NDList> criteria = Criteria.builder().setTypes(NDList.class, NDList.class)
                .optModelPath(modelPath).optEngine(engine).optTranslator(new NoopTranslator());
        if (block != null) {
            criteria.optBlock(block).optModelName("mlp");
        }
        try (ZooModel<NDList, NDList> model = criteria.build().loadModel();
             Predictor<NDList, NDList> predictor = model.newPredictor();
             NDManager manager = NDManager.newBaseManager(engine)) {
            NDList out = predictor.predict(new NDList(manager.create(x, new Shape(rows, 8))));
            return out.head().toFloatArray();
        }
    }

    static ModelManifest manifest(String name, ModelFormat format, String engine, String file, Signature signature) {
        return new ModelManifest(name, "1", "default", format, engine, file, "0".repeat(64), 0, Instant.EPOCH,
                signature, 64);
    }

}
