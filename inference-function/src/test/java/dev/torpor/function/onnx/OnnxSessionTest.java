package dev.torpor.function.onnx;

import static dev.torpor.function.onnx.Samples.manifest;
import static dev.torpor.function.onnx.Samples.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import dev.torpor.error.BadInput;
import dev.torpor.error.EngineFailure;
import dev.torpor.error.ErrorKind;
import dev.torpor.error.RequestCancelled;
import dev.torpor.error.TorporException;
import dev.torpor.fixtures.SampleModels;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.RunControl;
import dev.torpor.function.RuntimeOptions;
import dev.torpor.function.Session;
import dev.torpor.function.Tensor;
import dev.torpor.store.DataType;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OnnxSessionTest {
    private final OnnxBackend backend = new OnnxBackend();
    private final List<Session> opened = new ArrayList<>();
    @TempDir
    Path dir;

    @AfterEach
    void closeSessions() {
        opened.forEach(Session::close);
    }

    private Session open(Path model) {
        Session session = backend.open(manifest("m", model), model, RuntimeOptions.DEFAULT);
        opened.add(session);
        return session;
    }

    private Session open(String file, byte[] model) {
        return open(write(dir, file, model));
    }

    private static InferenceRequest request(Tensor... inputs) {
        return new InferenceRequest(null, List.of(inputs), List.of());
    }

    private static <T extends TorporException> T failure(Class<T> type, Session session, InferenceRequest request,
                                                         RunControl control) {
        T error = catchThrowableOfType(type, () -> session.run(request, control));
        assertThat(error).as("expected %s", type.getSimpleName()).isNotNull();
        return error;
    }

    static Stream<Arguments> everyExchangeableDatatype() {
        long[] shape = {2, 3};
        return Stream.of(
                Arguments.of(OnnxModels.BOOL, new Tensor("x", DataType.BOOL, shape,
                        new boolean[] {true, false, true, true, false, false})),
                Arguments.of(OnnxModels.UINT8, new Tensor("x", DataType.UINT8, shape,
                        new byte[] {0, 1, 127, (byte) 128, (byte) 254, (byte) 255})),
                Arguments.of(OnnxModels.INT8, new Tensor("x", DataType.INT8, shape, new byte[] {-128, -1, 0, 1, 2, 127})),
                Arguments.of(OnnxModels.INT16, new Tensor("x", DataType.INT16, shape,
                        new short[] {Short.MIN_VALUE, -1, 0, 1, 300, Short.MAX_VALUE})),
                Arguments.of(OnnxModels.INT32, new Tensor("x", DataType.INT32, shape,
                        new int[] {Integer.MIN_VALUE, -1, 0, 1, 70000, Integer.MAX_VALUE})),
                Arguments.of(OnnxModels.INT64, new Tensor("x", DataType.INT64, shape,
                        new long[] {Long.MIN_VALUE, -1, 0, 1, 1L << 40, Long.MAX_VALUE})),
                Arguments.of(OnnxModels.FLOAT16, new Tensor("x", DataType.FP16, shape,
                        new short[] {0x3C00, (short) 0xC000, 0x7BFF, 0x0001, 0x7C00, 0x7E00})),
                Arguments.of(OnnxModels.FLOAT, new Tensor("x", DataType.FP32, shape,
                        new float[] {0.1f, -2.5f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN, Float.NEGATIVE_INFINITY})),
                Arguments.of(OnnxModels.DOUBLE, new Tensor("x", DataType.FP64, shape,
                        new double[] {0.1, -2.5, Double.MIN_VALUE, Double.MAX_VALUE, Double.NaN, 1e-310})),
                Arguments.of(OnnxModels.STRING, new Tensor("x", DataType.BYTES, shape,
                        new String[] {"", "a", "héllo", "😀", "two words", "last"})));
    }

    @ParameterizedTest
    @MethodSource("everyExchangeableDatatype")
    void everyDatatypeRoundTripsThroughOrt(int onnxType, Tensor input) {
        Session session = open("identity.onnx", OnnxModels.identity(onnxType, "N", 3));
        List<Tensor> outputs = session.run(request(input), new RunControl());
        assertThat(outputs).containsExactly(new Tensor("y", input.datatype(), input.shape(), input.data()));
    }

    @Test
    void scalarsAndEmptyTensorsRoundTrip() {
        Session strings = open("s.onnx", OnnxModels.identity(OnnxModels.STRING));
        Tensor scalar = new Tensor("x", DataType.BYTES, new long[] {}, new String[] {"only"});
        assertThat(strings.run(request(scalar), new RunControl()))
                .containsExactly(new Tensor("y", DataType.BYTES, new long[] {}, new String[] {"only"}));
        Session floats = open("f.onnx", OnnxModels.identity(OnnxModels.FLOAT, "N", 4));
        Tensor empty = new Tensor("x", DataType.FP32, new long[] {0, 4}, new float[0]);
        assertThat(floats.run(request(empty), new RunControl()))
                .containsExactly(new Tensor("y", DataType.FP32, new long[] {0, 4}, new float[0]));
    }

    @Test
    void computesWithSeveralInputs() {
        Session session = open("add.onnx", OnnxModels.add(OnnxModels.INT64, "N"));
        List<Tensor> outputs = session.run(request(
                new Tensor("b", DataType.INT64, new long[] {3}, new long[] {10, 20, 30}),
                new Tensor("a", DataType.INT64, new long[] {3}, new long[] {1, 2, 3})), new RunControl());
        assertThat(outputs).containsExactly(new Tensor("c", DataType.INT64, new long[] {3}, new long[] {11, 22, 33}));
    }

    @Test
    void runsSileroVadExactlyAsOrtDoes() throws Exception {
        Path model = SampleModels.silero();
        float[] audio = new float[512];
        for (int i = 0; i < audio.length; i++) {
            audio[i] = (float) (0.5 * Math.sin(i * 2 * Math.PI * 440 / 16000) + 0.1 * Math.sin(i * 0.37));
        }
        float[] state = new float[2 * 128];
        for (int i = 0; i < state.length; i++) {
            state[i] = (i % 7) * 0.01f;
        }
        InferenceRequest request = request(
                new Tensor("input", DataType.FP32, new long[] {1, 512}, audio),
                new Tensor("state", DataType.FP32, new long[] {2, 1, 128}, state),
                new Tensor("sr", DataType.INT64, new long[] {}, new long[] {16000}));
        List<Tensor> ours = open(model).run(request, new RunControl());

        // The same model and input through ORT's own API, with the same session settings.
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (SessionOptions options = new SessionOptions()) {
            options.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            try (OrtSession direct = env.createSession(model.toString(), options);
                 OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(audio), new long[] {1, 512});
                 OnnxTensor stateIn = OnnxTensor.createTensor(env, FloatBuffer.wrap(state), new long[] {2, 1, 128});
                 OnnxTensor sr = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {16000}), new long[] {});
                 OrtSession.Result result = direct.run(Map.of("input", input, "state", stateIn, "sr", sr))) {
                OnnxTensor output = (OnnxTensor) result.get("output").orElseThrow();
                OnnxTensor stateN = (OnnxTensor) result.get("stateN").orElseThrow();
                float[] expectedOutput = new float[1];
                output.getFloatBuffer().get(expectedOutput);
                float[] expectedState = new float[256];
                stateN.getFloatBuffer().get(expectedState);
                assertThat(ours).containsExactly(
                        new Tensor("output", DataType.FP32, output.getInfo().getShape(), expectedOutput),
                        new Tensor("stateN", DataType.FP32, stateN.getInfo().getShape(), expectedState));
                assertThat(ours.get(0).shape()).containsExactly(1, 1);
                assertThat(ours.get(1).shape()).containsExactly(2, 1, 128);
            }
        }
    }

    @Test
    void runsOcrClsOnABatchOfTwo() {
        float[] pixels = new float[2 * 3 * 48 * 192];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (i % 255) / 127.5f - 1f;
        }
        List<Tensor> outputs = open(SampleModels.ocrClassifier()).run(
                request(new Tensor("x", DataType.FP32, new long[] {2, 3, 48, 192}, pixels)), new RunControl());
        assertThat(outputs).hasSize(1);
        Tensor softmax = outputs.get(0);
        assertThat(softmax.name()).isEqualTo("softmax_0.tmp_0");
        assertThat(softmax.datatype()).isEqualTo(DataType.FP32);
        assertThat(softmax.shape()).containsExactly(2, 2);
        float[] p = (float[]) softmax.data();
        assertThat(p[0] + p[1]).isCloseTo(1f, within(1e-5f));
        assertThat(p[2] + p[3]).isCloseTo(1f, within(1e-5f));
    }

    @Test
    void runsOnlyTheRequestedOutputsInTheModelsOrder() {
        Session session = open(SampleModels.silero());
        InferenceRequest both = new InferenceRequest(null, List.of(
                new Tensor("input", DataType.FP32, new long[] {1, 512}, new float[512]),
                new Tensor("state", DataType.FP32, new long[] {2, 1, 128}, new float[256]),
                new Tensor("sr", DataType.INT64, new long[] {}, new long[] {16000})), List.of("stateN", "output"));
        assertThat(session.run(both, new RunControl())).extracting(Tensor::name).containsExactly("output", "stateN");
        InferenceRequest one = new InferenceRequest(null, both.inputs(), List.of("stateN"));
        assertThat(session.run(one, new RunControl())).extracting(Tensor::name).containsExactly("stateN");
        InferenceRequest unknown = new InferenceRequest(null, both.inputs(), List.of("prob"));
        assertThat(failure(BadInput.class, session, unknown, new RunControl()))
                .hasMessage("unknown output 'prob'; the model's outputs are [output, stateN]");
    }

    @Test
    void aShapeOrtRefusesIsBadInputNotAnEngineFailure() {
        Session ocr = open(SampleModels.ocrClassifier());
        Tensor oneChannel = new Tensor("x", DataType.FP32, new long[] {2, 1, 48, 192}, new float[2 * 48 * 192]);
        assertThat(failure(BadInput.class, ocr, request(oneChannel), new RunControl()))
                .hasMessageStartingWith("ONNX Runtime refused the input: ").hasMessageContaining("invalid dimensions");
        Tensor rank3 = new Tensor("x", DataType.FP32, new long[] {3, 48, 192}, new float[3 * 48 * 192]);
        assertThat(failure(BadInput.class, ocr, request(rank3), new RunControl())).hasMessageContaining("Invalid rank");

        // Dimensions the signature leaves free but the graph needs equal: ORT fails inside a node.
        Session add = open("add.onnx", OnnxModels.add(OnnxModels.FLOAT, "N"));
        InferenceRequest mismatch = request(new Tensor("a", DataType.FP32, new long[] {2}, new float[2]),
                new Tensor("b", DataType.FP32, new long[] {3}, new float[3]));
        assertThat(failure(BadInput.class, add, mismatch, new RunControl())).hasMessageContaining("broadcast");
    }

    @Test
    void aWrongDatatypeOrAMissingInputIsBadInput() {
        Session add = open("add.onnx", OnnxModels.add(OnnxModels.FLOAT, "N"));
        InferenceRequest doubles = request(new Tensor("a", DataType.FP64, new long[] {1}, new double[1]),
                new Tensor("b", DataType.FP64, new long[] {1}, new double[1]));
        assertThat(failure(BadInput.class, add, doubles, new RunControl())).hasMessageContaining("data type");
        InferenceRequest missing = request(new Tensor("a", DataType.FP32, new long[] {1}, new float[1]));
        assertThat(failure(BadInput.class, add, missing, new RunControl())).hasMessage("missing input 'b'");
        InferenceRequest extra = request(new Tensor("a", DataType.FP32, new long[] {1}, new float[1]),
                new Tensor("b", DataType.FP32, new long[] {1}, new float[1]),
                new Tensor("z", DataType.FP32, new long[] {1}, new float[1]));
        assertThat(failure(BadInput.class, add, extra, new RunControl()))
                .hasMessage("unknown input 'z'; the model's inputs are [a, b]");
    }

    @Test
    void aRunCancelledBeforeItStartsIsRequestCancelled() {
        Session session = open("add.onnx", OnnxModels.add(OnnxModels.FLOAT, "N"));
        RunControl control = new RunControl();
        control.cancel();
        InferenceRequest request = request(new Tensor("a", DataType.FP32, new long[] {1}, new float[1]),
                new Tensor("b", DataType.FP32, new long[] {1}, new float[1]));
        assertThat(failure(RequestCancelled.class, session, request, control).kind()).isEqualTo(ErrorKind.REQUEST_CANCELLED);
        // The session is still usable, and a control cancelled after its run has no effect.
        RunControl later = new RunControl();
        assertThat(session.run(request, later)).hasSize(1);
        assertThatCode(later::cancel).doesNotThrowAnyException();
    }

    @Test
    void aRunCancelledWhileRunningStopsEarlyWithRequestCancelled() throws Exception {
        int elements = 1 << 19;
        Session session = open("chain.onnx", OnnxModels.addChain(3000, OnnxModels.FLOAT, "N"));
        InferenceRequest request = request(new Tensor("a", DataType.FP32, new long[] {elements}, new float[elements]),
                new Tensor("b", DataType.FP32, new long[] {elements}, new float[elements]));
        long fullRunNanos = Long.MAX_VALUE;
        for (int i = 0; i < 2; i++) {
            // The faster of two runs, so that a slow first run (allocations, warm-up) does not loosen the check.
            long start = System.nanoTime();
            assertThat(session.run(request, new RunControl())).hasSize(1);
            fullRunNanos = Math.min(fullRunNanos, System.nanoTime() - start);
        }
        assertThat(fullRunNanos).as("the chain must run long enough to be cancelled midway")
                .isGreaterThan(TimeUnit.MILLISECONDS.toNanos(100));

        RunControl control = new RunControl();
        CompletableFuture<List<Tensor>> run = CompletableFuture.supplyAsync(() -> session.run(request, control));
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(fullRunNanos) / 10);
        long cancelledAt = System.nanoTime();
        control.cancel();
        ExecutionException error = catchThrowableOfType(ExecutionException.class, () -> run.get(30, TimeUnit.SECONDS));
        long stoppedAfter = System.nanoTime() - cancelledAt;
        assertThat(error).as("the cancelled run must fail").isNotNull();
        assertThat(error.getCause()).isInstanceOf(RequestCancelled.class);
        assertThat(stoppedAfter).as("ORT stops between nodes, well before the run would have ended")
                .isLessThan(fullRunNanos / 2);
    }

    @Test
    void closingTwiceIsHarmlessAndARunAfterCloseIsAnEngineFailure() {
        Session session = open("id.onnx", OnnxModels.identity(OnnxModels.FLOAT, 1));
        session.close();
        assertThatCode(session::close).doesNotThrowAnyException();
        Tensor x = new Tensor("x", DataType.FP32, new long[] {1}, new float[1]);
        assertThat(failure(EngineFailure.class, session, request(x), new RunControl())).hasMessageContaining("closed");
    }

    @Test
    void concurrentRunsOnOneSessionGiveTheSameAnswers() throws Exception {
        Session session = open(SampleModels.silero());
        float[] audio = new float[512];
        for (int i = 0; i < audio.length; i++) {
            audio[i] = (float) Math.sin(i * 0.05);
        }
        InferenceRequest request = request(new Tensor("input", DataType.FP32, new long[] {1, 512}, audio),
                new Tensor("state", DataType.FP32, new long[] {2, 1, 128}, new float[256]),
                new Tensor("sr", DataType.INT64, new long[] {}, new long[] {16000}));
        List<Tensor> expected = session.run(request, new RunControl());
        List<CompletableFuture<List<Tensor>>> runs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            runs.add(CompletableFuture.supplyAsync(() -> session.run(request, new RunControl())));
        }
        for (CompletableFuture<List<Tensor>> run : runs) {
            assertThat(run.get(30, TimeUnit.SECONDS)).isEqualTo(expected);
        }
    }
}
