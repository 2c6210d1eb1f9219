package dev.torpor.samples.djl;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.torpor.function.djl.DjlBlocks;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Builds the project's {@code mlp} block (8 inputs → 16 → 16 → 1, relu), trains it for a few epochs on generated
 * data where {@code y = sum(x)}, saves it in DJL's format and zips {@code mlp-0005.params} with its
 * {@code model.json} as {@code mlp-djl.zip}, ready to publish:
 *
 * <pre>
 *   curl -X PUT -H 'Content-Type: application/zip' --data-binary @samples/.cache/models/mlp-djl.zip \
 *        http://127.0.0.1:8080/v2/repository/models/mlp-djl/versions/1
 * </pre>
 *
 * Usage: {@code DjlTrainer [--if-missing] OUTPUT_DIR}. Needs DJL's PyTorch engine (offline, CPU). Deterministic
 * data and seed; a few seconds on two cores.
 */
public final class DjlTrainer {
    static final String ZIP = "mlp-djl.zip";
    static final int EPOCHS = 5;
    static final List<Integer> HIDDEN = List.of(16, 16);

    private DjlTrainer() {
    }

    public static void main(String[] args) throws Exception {
        boolean ifMissing = args.length > 0 && args[0].equals("--if-missing");
        if (args.length != (ifMissing ? 2 : 1)) {
            System.err.println("usage: DjlTrainer [--if-missing] OUTPUT_DIR");
            System.exit(2);
        }
        Path out = Path.of(args[ifMissing ? 1 : 0]);
        Path zip = out.resolve(ZIP);
        if (ifMissing && Files.isRegularFile(zip)) {
            return;
        }
        long start = System.nanoTime();
        float loss = train(out);
        System.out.printf("djl-trainer: %s ready (mlp %s, %d epochs, final mean squared error %.4f, %d ms)%n", zip, HIDDEN,
                EPOCHS, loss, (System.nanoTime() - start) / 1_000_000);
    }

    /** Trains, saves and zips into {@code out}; returns the last epoch's training loss. */
    static float train(Path out) throws IOException, ai.djl.translate.TranslateException {
        Files.createDirectories(out);
        Path work = Files.createTempDirectory("djl-trainer-");
        Engine engine = Engine.getEngine("PyTorch");
        engine.setRandomSeed(42);
        float loss;
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
             Model model = Model.newInstance("mlp", "PyTorch")) {
            Block block = DjlBlocks.mlp(HIDDEN, 1, "relu");
            model.setBlock(block);
            // y = sum(x), x uniform in [-1, 1): 4096 samples.
            NDArray x = manager.randomUniform(-1f, 1f, new Shape(4096, 8));
            NDArray y = x.sum(new int[] {1}, true);
            ArrayDataset data = new ArrayDataset.Builder().setData(x).optLabels(y).setSampling(64, true).build();
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.l2Loss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.01f)).build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, 8));
                EasyTrain.fit(trainer, EPOCHS, data, null);
                // Mean squared error over the generated data, after training.
                loss = trainer.forward(new ai.djl.ndarray.NDList(x)).head().sub(y).square().mean().getFloat();
            }
            model.setProperty("Epoch", Integer.toString(EPOCHS));
            model.save(work, "mlp");
        }
        String params = String.format("mlp-%04d.params", EPOCHS);
        String json = """
                {"format": "djl", "engine": "PyTorch", "file": "%s",
                 "block": "mlp", "blockArguments": {"hidden": [16, 16], "outputs": 1, "activation": "relu"},
                 "inputs":  [{"name": "x", "datatype": "FP32", "shape": [-1, 8]}],
                 "outputs": [{"name": "y", "datatype": "FP32", "shape": [-1, 1]}]}
                """.formatted(params);
        Path part = out.resolve(ZIP + ".part");
        try (OutputStream file = Files.newOutputStream(part); ZipOutputStream zip = new ZipOutputStream(file)) {
            zip.putNextEntry(new ZipEntry("model.json"));
            zip.write(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry(params));
            Files.copy(work.resolve(params), zip);
            zip.closeEntry();
        }
        Files.move(part, out.resolve(ZIP), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try (var files = Files.list(work)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(work);
        return loss;
    }
}
