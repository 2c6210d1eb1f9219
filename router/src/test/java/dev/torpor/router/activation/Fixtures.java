package dev.torpor.router.activation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.pool.DevicePreference;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.RuntimeOptions;
import dev.torpor.store.ModelFormat;
import dev.torpor.store.ModelManifest;
import dev.torpor.store.Signature;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;

/** Shared test data for the activator's unit tests. */
final class Fixtures {
    static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");
    static final Path ARTIFACT = Path.of("model.onnx");
    static final InferenceRequest REQUEST = new InferenceRequest("r", List.of(), List.of());

    private Fixtures() {
    }

    static ModelManifest manifest(String name, String version) {
        return new ModelManifest(name, version, "default", ModelFormat.ONNX, null, "model.onnx", "00", 1, T0,
                new Signature(List.of(), List.of()), 64);
    }

    static ServingPolicy policy(int concurrency, int maxQueue, Duration idle, Duration timeout, int minInstances) {
        return new ServingPolicy(DevicePreference.CPU, 64, minInstances, 4, concurrency, idle, maxQueue, timeout, RuntimeOptions.DEFAULT);
    }

    static ServingPolicy policy() {
        return policy(4, 1000, Duration.ofSeconds(300), Duration.ofSeconds(30), 0);
    }

    /** The cause an invocation failed with (it must have failed). */
    static Throwable failureOf(Invocation invocation) {
        assertThat(invocation.result()).isCompletedExceptionally();
        try {
            invocation.result().join();
            throw new AssertionError("not failed");
        } catch (CompletionException failed) {
            return failed.getCause();
        }
    }
}
