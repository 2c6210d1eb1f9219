package dev.torpor.function.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.fixtures.SampleModels;
import dev.torpor.function.Batching;
import dev.torpor.function.InferenceOutcome;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.LocalFunctionInstance;
import dev.torpor.function.RunControl;
import dev.torpor.function.RuntimeOptions;
import dev.torpor.function.Tensor;
import dev.torpor.store.DataType;
import dev.torpor.store.ModelFormat;
import dev.torpor.store.ModelManifest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Dynamic batching on the PaddleOCR classifier (x FP32 [-1,3,48,192] → [-1,2]): many concurrent requests on a
 * batching instance answer what the same requests answer one by one, within 1e-5 relative, and their compute
 * shares add up to the instance's engine time.
 */
class BatchedOcrTest {
    private static final int ELEMENTS = 3 * 48 * 192;

    private static ModelManifest manifest(Path model) {
        var signature = new OnnxBackend().inspect(model, ModelFormat.ONNX, null);
        return new ModelManifest("ocr", "1", "default", ModelFormat.ONNX, null, model.getFileName().toString(),
                "0".repeat(64), 0, Instant.EPOCH, signature, 64);
    }

    private static InferenceRequest request(int seed, int rows) {
        Random random = new Random(seed);
        float[] data = new float[rows * ELEMENTS];
        for (int i = 0; i < data.length; i++) {
            data[i] = random.nextFloat() * 2 - 1;
        }
        return new InferenceRequest("r" + seed, List.of(new Tensor("x", DataType.FP32, new long[] {rows, 3, 48, 192},
                data)), List.of());
    }

    @Test
    void batchedAndUnbatchedOutputsAgreeAndComputeSharesAddUp() throws Exception {
        Path model = SampleModels.ocrClassifier();
        ModelManifest manifest = manifest(model);
        LocalFunctionInstance plain = new LocalFunctionInstance("plain", manifest, model, new OnnxBackend(),
                RuntimeOptions.DEFAULT, 1, Clock.systemUTC());
        // Two engine threads, a long delay: concurrent requests must gather into batches.
        LocalFunctionInstance batched = new LocalFunctionInstance("batched", manifest, model, new OnnxBackend(),
                RuntimeOptions.DEFAULT, 2, new Batching(8, 50_000), Clock.systemUTC());
        try {
            plain.load().get(60, TimeUnit.SECONDS);
            batched.load().get(60, TimeUnit.SECONDS);
            int count = 24;
            List<InferenceRequest> requests = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                requests.add(request(i, i % 5 == 0 ? 2 : 1));
            }
            List<Tensor> expected = new ArrayList<>();
            for (InferenceRequest request : requests) {
                expected.add(plain.infer(request, new RunControl()).get(60, TimeUnit.SECONDS).outputs().get(0));
            }
            long busyBefore = batched.busyMicros();
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<InferenceOutcome>> answers = new ArrayList<>();
            List<Thread> clients = new ArrayList<>();
            for (InferenceRequest request : requests) {
                CompletableFuture<InferenceOutcome> answer = new CompletableFuture<>();
                answers.add(answer);
                Thread client = new Thread(() -> {
                    try {
                        start.await();
                        answer.complete(batched.infer(request, new RunControl()).get(60, TimeUnit.SECONDS));
                    } catch (Exception failed) {
                        answer.completeExceptionally(failed);
                    }
                });
                client.start();
                clients.add(client);
            }
            start.countDown();
            long computeNanos = 0;
            for (int i = 0; i < count; i++) {
                InferenceOutcome outcome = answers.get(i).get(60, TimeUnit.SECONDS);
                Tensor actual = outcome.outputs().get(0);
                Tensor wanted = expected.get(i);
                assertThat(actual.shape()).containsExactly(wanted.shape());
                float[] a = (float[]) actual.data();
                float[] w = (float[]) wanted.data();
                for (int j = 0; j < w.length; j++) {
                    assertThat((double) Math.abs(a[j] - w[j])).as("request %d element %d", i, j)
                            .isLessThanOrEqualTo(1e-5 * Math.max(Math.abs(w[j]), 1e-6) + 1e-7);
                }
                computeNanos += outcome.computeNanos();
            }
            // Batching happened, every request ran, and the shares add up to the engine time the instance
            // measured (to a microsecond per request).
            assertThat(batched.batchedCalls()).isPositive();
            assertThat(plain.batchedCalls()).isZero();
            assertThat(batched.runs()).isEqualTo(count);
            assertThat(Math.abs(computeNanos / 1000 - (batched.busyMicros() - busyBefore))).isLessThanOrEqualTo(count);
            for (Thread client : clients) {
                client.join();
            }
        } finally {
            plain.stop();
            batched.stop();
        }
    }
}
