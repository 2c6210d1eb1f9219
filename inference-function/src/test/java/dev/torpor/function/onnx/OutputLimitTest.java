package dev.torpor.function.onnx;

import static dev.torpor.function.onnx.Samples.manifest;
import static dev.torpor.function.onnx.Samples.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torpor.error.BadInput;
import dev.torpor.error.PayloadTooLarge;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.OutputLimit;
import dev.torpor.function.RunControl;
import dev.torpor.function.RuntimeOptions;
import dev.torpor.function.Session;
import dev.torpor.function.Tensor;
import dev.torpor.store.DataType;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model whose answer size the request chooses (Tile): an answer over the session's output limit is a 413
 * naming TORPOR_MAX_OUTPUT_MB, found from ORT's output shape before anything is copied, and a run ORT fails
 * leaves the session serving.
 */
class OutputLimitTest {
    @TempDir
    Path dir;
    Session session;

    @BeforeEach
    void open() {
        Path model = write(dir, "tile.onnx", TinyOnnx.tile());
        // 4 KiB: 1024 FP32 elements.
        session = new OnnxBackend().open(manifest("tile", model), model,
                RuntimeOptions.DEFAULT.withMaxOutputBytes(4096));
    }

    @AfterEach
    void close() {
        session.close();
    }

    private List<Tensor> tile(float[] x, long... repeats) {
        return session.run(new InferenceRequest(null, List.of(
                new Tensor("x", DataType.FP32, new long[] {x.length}, x),
                new Tensor("repeats", DataType.INT64, new long[] {repeats.length}, repeats)), List.of()),
                new RunControl());
    }

    @Test
    void anAnswerWithinTheLimitIsCopied() {
        Tensor y = tile(new float[] {1, 2}, 512).get(0);
        assertThat(y.shape()).containsExactly(1024);
        assertThat(((float[]) y.data())[1023]).isEqualTo(2f);
    }

    @Test
    void anAnswerOverTheLimitIs413NamingTheSettingAndTheSessionServesOn() {
        assertThatThrownBy(() -> tile(new float[] {1, 2}, 513)).isInstanceOf(PayloadTooLarge.class)
                .hasMessageContaining("output limit of 4096 bytes (TORPOR_MAX_OUTPUT_MB)")
                .hasMessageContaining("output 'y' (FP32 [1026]) needs 4104 bytes");
        assertThat(tile(new float[] {3}, 2).get(0).data()).isEqualTo(new float[] {3, 3});
    }

    @Test
    void aRunOrtFailsIsTheInputsFaultAndTheSessionServesOn() {
        // Two repeats for a rank-1 input: ORT fails inside the Tile node.
        assertThatThrownBy(() -> tile(new float[] {1}, 1, 1)).isInstanceOf(BadInput.class)
                .hasMessageContaining("ONNX Runtime refused the input");
        assertThat(tile(new float[] {4}, 1).get(0).data()).isEqualTo(new float[] {4});
    }

    @Test
    void theLimitCountsAllOutputsAndRefusesUncountableShapes() {
        OutputLimit limit = new OutputLimit(100);
        limit.reserve("a", DataType.FP64, new long[] {10});
        assertThatThrownBy(() -> limit.reserve("b", DataType.INT8, new long[] {21}))
                .hasMessageContaining("needs 21 bytes beyond the 80 before it");
        assertThatThrownBy(() -> new OutputLimit(Long.MAX_VALUE).reserve("c", DataType.FP32,
                new long[] {1L << 32, 1L << 32})).isInstanceOf(PayloadTooLarge.class)
                .hasMessageContaining("more than 2^31 elements");
        // BYTES elements count 4 bytes each before their text is known.
        assertThatThrownBy(() -> new OutputLimit(7).reserve("s", DataType.BYTES, new long[] {2}))
                .hasMessageContaining("needs 8 bytes");
    }
}
