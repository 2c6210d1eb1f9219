package dev.torpor.router.it;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import dev.torpor.function.djl.DjlBlocks;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The DJL sample archives (TorchScript from samples/make-torchscript.sh, DJL-format from samples/djl-trainer),
 * requests for them, and DJL called directly on the archive's own files: the reference answers. A missing
 * archive fails the test loudly.
 */
final class DjlModels {
    static final String TORCHSCRIPT_ZIP = "mlp-torchscript.zip";
    static final String DJL_ZIP = "mlp-djl.zip";

    private DjlModels() {
    }

    static Path archive(String file) {
        String dir = System.getProperty("torpor.samples.dir");
        if (dir == null) {
            throw new IllegalStateException("system property torpor.samples.dir is not set (surefire sets it)");
        }
        Path zip = Path.of(dir, file);
        if (!Files.isRegularFile(zip)) {
            throw new IllegalStateException(zip + " is missing: run samples/make-torchscript.sh (needs Debian's "
                    + "python3-torch) and build samples/djl-trainer (mvn package)");
        }
        return zip;
    }

    static byte[] bytes(String file) {
        try {
            return Files.readAllBytes(archive(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static float[] input(int rows, long seed) {
        Random random = new Random(seed);
        float[] values = new float[rows * 8];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextFloat() * 2 - 1);
        }
        return values;
    }

    static String json(String id, float[] x, int rows) {
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < x.length; i++) {
            data.append(i == 0 ? "" : ",").append(x[i]);
        }
        return "{\"id\":\"" + id + "\",\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[" + rows
                + ",8],\"data\":[" + data + "]}]}";
    }

    /** DJL called directly on the files inside {@code zipFile}: the TorchScript file, or the params with the block. */
    static float[] direct(String zipFile, float[] x, int rows) throws Exception {
        Path dir = Files.createTempDirectory("djl-direct-");
        Path modelFile = null;
        try (InputStream in = Files.newInputStream(archive(zipFile)); ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                Path target = dir.resolve(entry.getName());
                Files.copy(zip, target);
                if (!entry.getName().equals("model.json")) {
                    modelFile = target;
                }
            }
        }
        return modelFile.toString().endsWith(".params") ? directOnParams(dir, x, rows) : direct(modelFile, null, x, rows);
    }

    /** DJL called directly on {@code mlp-*.params} in {@code dir} with the samples' MLP block (hidden 16, 16). */
    static float[] directOnParams(Path dir, float[] x, int rows) throws Exception {
        return direct(dir, DjlBlocks.mlp(List.of(16, 16), 1, "relu"), x, rows);
    }

    private static float[] direct(Path modelPath, ai.djl.nn.Block block, float[] x, int rows) throws Exception {
        Criteria.Builder<NDList, NDList> criteria = Criteria.builder().setTypes(NDList.class, NDList.class)
                .optEngine("PyTorch").optTranslator(new NoopTranslator()).optModelPath(modelPath);
        if (block != null) {
            criteria.optModelName("mlp").optBlock(block);
        }
        try (ZooModel<NDList, NDList> model = criteria.build().loadModel();
             Predictor<NDList, NDList> predictor = model.newPredictor();
             NDManager manager = NDManager.newBaseManager("PyTorch")) {
            return predictor.predict(new NDList(manager.create(x, new Shape(rows, 8)))).head().toFloatArray();
        }
    }
}
