package dev.torpor.router.it;

import dev.torpor.fixtures.DjlReference;
import dev.torpor.fixtures.SampleModels;
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
 * archive fails the test loudly ({@link SampleModels} finds it).
 */
final class DjlModels {
    static final String TORCHSCRIPT_ZIP = SampleModels.TORCHSCRIPT_ZIP;
    static final String DJL_ZIP = SampleModels.DJL_ZIP;

    private DjlModels() {
    }

    static Path archive(String file) {
        return SampleModels.path(file);
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
        return modelFile.toString().endsWith(".params") ? directOnParams(dir, x, rows)
                : DjlReference.predict(modelFile, "PyTorch", null, x, rows, 8);
    }

    /** DJL called directly on {@code mlp-*.params} in {@code dir} with the samples' MLP block (hidden 16, 16). */
    static float[] directOnParams(Path dir, float[] x, int rows) throws Exception {
        return DjlReference.predict(dir, "PyTorch", DjlBlocks.mlp(List.of(16, 16), 1, "relu"), x, rows, 8);
    }
}
