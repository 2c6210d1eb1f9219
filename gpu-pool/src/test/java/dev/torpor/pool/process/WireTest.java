package dev.torpor.pool.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torpor.error.BadInput;
import dev.torpor.error.ErrorKind;
import dev.torpor.error.InstanceCrashed;
import dev.torpor.error.QueueFull;
import dev.torpor.error.ModelLoadFailed;
import dev.torpor.error.TorporException;
import dev.torpor.function.host.FrameWriter;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.Tensor;
import dev.torpor.function.host.Frame;
import dev.torpor.function.host.FrameReader;
import dev.torpor.function.host.WireCodes;
import dev.torpor.function.host.Wire;
import dev.torpor.store.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class WireTest {

    private static ByteBuffer payloadOf(ByteBuffer frame, byte type, long id) {
        ByteBuffer b = frame.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt()).isEqualTo(b.remaining());
        assertThat(b.get()).isEqualTo(type);
        assertThat(b.getLong()).isEqualTo(id);
        return b.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void everyDatatypeRoundTrips() {
        List<Tensor> tensors = List.of(
                new Tensor("f32", DataType.FP32, new long[] {2, 2}, new float[] {1.5f, -2f, Float.NaN, 0f}),
                new Tensor("f64", DataType.FP64, new long[] {1}, new double[] {Math.PI}),
                new Tensor("i64", DataType.INT64, new long[] {}, new long[] {16000}),
                new Tensor("u64", DataType.UINT64, new long[] {1}, new long[] {-1L}),
                new Tensor("i32", DataType.INT32, new long[] {3}, new int[] {1, -2, 3}),
                new Tensor("i16", DataType.INT16, new long[] {1}, new short[] {-7}),
                new Tensor("f16", DataType.FP16, new long[] {1}, new short[] {0x3c00}),
                new Tensor("u8", DataType.UINT8, new long[] {2}, new byte[] {(byte) 255, 1}),
                new Tensor("b", DataType.BOOL, new long[] {3}, new boolean[] {true, false, true}),
                new Tensor("s", DataType.BYTES, new long[] {2}, new String[] {"héllo", ""}),
                new Tensor("empty", DataType.FP32, new long[] {0, 3}, new float[0]));
        InferenceRequest request = new InferenceRequest("id-1", tensors, List.of("out"));
        ByteBuffer frame = Wire.request(7, request);
        InferenceRequest back = Wire.request(payloadOf(frame, Frame.INFER, 7));
        assertThat(back.id()).isEqualTo("id-1");
        assertThat(back.inputs()).isEqualTo(tensors);
        assertThat(back.requestedOutputs()).containsExactly("out");

        ByteBuffer result = Wire.result(9, tensors, 1234, 3);
        Wire.Result back2 = Wire.result(payloadOf(result, Frame.RESULT, 9));
        assertThat(back2.computeNanos()).isEqualTo(1234);
        assertThat(back2.batchSize()).isEqualTo(3);
        assertThat(back2.outputs()).isEqualTo(tensors);
    }

    @Test
    void errorsKeepTheirKindMessageAndRetryHint() {
        TorporException bad = Wire.error(payloadOf(Wire.error(3, new BadInput("wrong shape")), Frame.ERROR, 3));
        assertThat(bad).isInstanceOf(BadInput.class).hasMessage("wrong shape");
        TorporException load = Wire.error(payloadOf(
                Wire.error(0, new ModelLoadFailed("nope", Duration.ofSeconds(10))), Frame.ERROR, 0));
        assertThat(load).isInstanceOf(ModelLoadFailed.class).hasMessage("nope");
        assertThat(load.retryAfter()).contains(Duration.ofSeconds(10));
    }

    @Test
    void aCorruptLengthIsRefusedNotAllocated() {
        ByteBuffer corrupt = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        corrupt.putInt(-1).putInt(Integer.MAX_VALUE).flip();
        assertThatThrownBy(() -> FrameReader.tensors(corrupt)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLoadRoundTripsWithTheManifestsSignature() {
        var signature = new dev.torpor.store.Signature(
                List.of(new dev.torpor.store.TensorSpec("x", DataType.FP32, new long[] {-1, 8})),
                List.of(new dev.torpor.store.TensorSpec("y", DataType.FP32, new long[] {-1, 1}),
                        new dev.torpor.store.TensorSpec("z", DataType.INT64, new long[] {})));
        var manifest = new dev.torpor.store.ModelManifest("mlp", "1", "alice", dev.torpor.store.ModelFormat.TORCHSCRIPT,
                "PyTorch", "mlp.pt", "ab12", 42, java.time.Instant.ofEpochMilli(1_700_000_000_000L), signature, 64);
        var load = new Wire.Load(manifest, java.nio.file.Path.of("/data/models/mlp/1/mlp.pt"),
                new dev.torpor.function.RuntimeOptions(2, 1), 3, "mlp-1-abcd", "/data/cache/ort",
                new dev.torpor.function.Batching(8, 2000));
        Wire.Load back = Wire.load(payloadOf(Wire.load(load), Frame.LOAD, 0));
        assertThat(back.manifest()).usingRecursiveComparison().isEqualTo(manifest);
        assertThat(back.artifact()).isEqualTo(load.artifact());
        assertThat(back.options()).isEqualTo(load.options());
        assertThat(back.concurrency()).isEqualTo(3);
        assertThat(back.instanceId()).isEqualTo("mlp-1-abcd");
        assertThat(back.cacheDir()).isEqualTo("/data/cache/ort");
        assertThat(back.batching()).isEqualTo(new dev.torpor.function.Batching(8, 2000));
    }

    @Test
    void everyErrorKindRoundTripsWithItsMessageAndRetryHint() {
        for (ErrorKind kind : ErrorKind.values()) {
            TorporException sent = WireCodes.exception(kind, "why " + kind, Duration.ofMillis(1500));
            assertThat(sent.kind()).as("the table builds %s", kind).isEqualTo(kind);
            TorporException back = Wire.error(payloadOf(Wire.error(4, sent), Frame.ERROR, 4));
            assertThat(back.kind()).isEqualTo(kind);
            assertThat(back.getClass()).isEqualTo(sent.getClass());
            assertThat(back).hasMessage("why " + kind);
            assertThat(back.retryAfter()).isEqualTo(sent.retryAfter());
        }
        TorporException crash = Wire.error(payloadOf(
                Wire.error(1, new InstanceCrashed("gone", Duration.ofSeconds(1))), Frame.ERROR, 1));
        assertThat(crash).isInstanceOf(InstanceCrashed.class);
        assertThat(crash.retryAfter()).contains(Duration.ofSeconds(1));
        TorporException full = Wire.error(payloadOf(Wire.error(2, new QueueFull("full", null)), Frame.ERROR, 2));
        assertThat(full.retryAfter()).isEmpty();
        TorporException plain = Wire.error(payloadOf(Wire.error(5, new IllegalStateException("boom")), Frame.ERROR, 5));
        assertThat(plain.kind()).isEqualTo(ErrorKind.ENGINE_FAILURE);
        assertThat(plain.getMessage()).startsWith("engine failure: ").contains("boom");
    }

    @Test
    void datatypesTravelAsFixedCodesAndAnUnknownCodeIsACorruptFrame() {
        assertThat(WireCodes.code(DataType.BOOL)).isEqualTo(1);
        assertThat(WireCodes.code(DataType.FP32)).isEqualTo(11);
        assertThat(WireCodes.code(DataType.BYTES)).isEqualTo(13);
        for (DataType type : DataType.values()) {
            assertThat(WireCodes.datatype(WireCodes.code(type))).isEqualTo(type);
        }
        ByteBuffer frame = new FrameWriter(64).str("t").i8(99).i32(0).frame(Frame.RESULT, 0);
        ByteBuffer payload = payloadOf(frame, Frame.RESULT, 0);
        assertThatThrownBy(() -> FrameReader.tensor(payload)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("datatype code 99");
        ByteBuffer error = payloadOf(new FrameWriter(64).i8(0).i64(-1).str("x").frame(Frame.ERROR, 0), Frame.ERROR, 0);
        assertThatThrownBy(() -> Wire.error(error)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("error kind code 0");
    }

    @Test
    void helloAndLoadedAreTheWiresToo() {
        var hello = new Wire.Hello(4242, "1.22.0", 10, 20, 30, "0123456789abcdef");
        ByteBuffer frame = Wire.hello(hello);
        assertThat(Wire.hello(new Frame(Frame.HELLO, 0, payloadOf(frame, Frame.HELLO, 0)))).isEqualTo(hello);
        assertThatThrownBy(() -> Wire.hello(new Frame(Frame.LOADED, 0, ByteBuffer.allocate(0))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Wire.loaded(payloadOf(Wire.loaded(123_456_789), Frame.LOADED, 0)))
                .isEqualTo(Duration.ofNanos(123_456_789));
    }
}
