package dev.torpor.store;

import static dev.torpor.store.StoreFixture.SIGNATURE;
import static dev.torpor.store.StoreFixture.onnx;
import static dev.torpor.store.StoreFixture.sha256;
import static dev.torpor.store.StoreFixture.stream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.error.VersionConflict;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrentPublishTest {
    private static final int THREADS = 8;

    @TempDir
    Path root;

    @Test
    void ofEightConcurrentPublishesOfOneVersionExactlyOneWins() throws Exception {
        FileSystemModelStore store = new FileSystemModelStore(root, Clock.systemUTC(), ArchiveLimits.defaults());
        // Every publish waits here inside inspection, so all eight are past the early existence check and
        // the commit itself must pick the winner.
        CyclicBarrier allStaged = new CyclicBarrier(THREADS);
        ModelInspector inspector = (artifact, format, declared) -> {
            try {
                allStaged.await(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            return SIGNATURE;
        };
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<ModelManifest>> results = new ArrayList<>();
        try {
            for (int i = 0; i < THREADS; i++) {
                byte[] model = ("model from thread " + i).getBytes(StandardCharsets.UTF_8);
                results.add(pool.submit(() -> store.publish(onnx("vad", "1"), stream(model), inspector)));
            }
            List<ModelManifest> winners = new ArrayList<>();
            int conflicts = 0;
            for (Future<ModelManifest> result : results) {
                try {
                    winners.add(result.get(30, TimeUnit.SECONDS));
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(VersionConflict.class);
                    conflicts++;
                }
            }

            assertThat(winners).hasSize(1);
            assertThat(conflicts).isEqualTo(THREADS - 1);
            ModelManifest winner = winners.get(0);
            assertThat(store.versions("vad")).containsExactly(winner);
            assertThat(sha256(Files.readAllBytes(store.artifact(winner)))).isEqualTo(winner.sha256());
            assertThat(StoreFixture.children(root.resolve(".staging"))).isEmpty();
        } finally {
            pool.shutdownNow();
        }
    }
}
