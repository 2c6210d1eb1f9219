package dev.torpor.store;

import static dev.torpor.store.StoreFixture.ACCEPT;
import static dev.torpor.store.StoreFixture.onnx;
import static dev.torpor.store.StoreFixture.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torpor.error.VersionConflict;
import dev.torpor.fixtures.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A deleted version's number stays used: on restart, across stores sharing a directory, after a crash. */
class VersionTombstoneTest {
    private static final byte[] MODEL = "pretend this is an onnx protobuf".getBytes(StandardCharsets.UTF_8);
    private static final ModelId V1 = new ModelId("vad", "1");

    @TempDir
    Path root;

    private FileSystemModelStore open() {
        return new FileSystemModelStore(root, new MutableClock(Instant.parse("2026-12-01T10:00:00Z")),
                ArchiveLimits.defaults());
    }

    @Test
    void theConflictComesBeforeTheUploadIsRead() {
        FileSystemModelStore store = open();
        store.publish(onnx("vad", "1"), stream(MODEL), ACCEPT);
        store.delete(V1);
        AtomicInteger read = new AtomicInteger();
        var counting = new java.io.InputStream() {
            @Override
            public int read() {
                read.incrementAndGet();
                return -1;
            }
        };

        assertThatThrownBy(() -> store.publish(onnx("vad", "1"), counting, ACCEPT))
                .isInstanceOf(VersionConflict.class)
                .hasMessageContaining("model vad version 1 was deleted");
        assertThat(read).hasValue(0);
    }

    @Test
    void aTombstoneSurvivesARestartAndTheModelsLastVersion() {
        FileSystemModelStore store = open();
        store.publish(onnx("vad", "1"), stream(MODEL), ACCEPT);
        store.publish(onnx("vad", "2"), stream(MODEL), ACCEPT);
        store.delete(V1);
        store.delete(new ModelId("vad", "2"));
        assertThat(store.names()).isEmpty();

        FileSystemModelStore reopened = open();
        assertThat(reopened.deleted(V1)).isTrue();
        assertThat(reopened.deleted(new ModelId("vad", "3"))).isFalse();
        assertThat(reopened.names()).as("the tombstone directory is no model").isEmpty();
        assertThatThrownBy(() -> reopened.publish(onnx("vad", "2"), stream(MODEL), ACCEPT))
                .isInstanceOf(VersionConflict.class).hasMessageContaining("was deleted");
        assertThat(reopened.publish(onnx("vad", "3"), stream(MODEL), ACCEPT).version()).isEqualTo("3");
    }

    @Test
    void storesSharingADirectoryAgreeOnTombstones() {
        FileSystemModelStore first = open();
        FileSystemModelStore second = open();
        first.publish(onnx("vad", "1"), stream(MODEL), ACCEPT);
        first.delete(V1);

        assertThat(second.deleted(V1)).isTrue();
        assertThatThrownBy(() -> second.publish(onnx("vad", "1"), stream(MODEL), ACCEPT))
                .isInstanceOf(VersionConflict.class).hasMessageContaining("was deleted");
    }

    @Test
    void deletingAVersionThatNeverExistedLeavesNoTombstone() {
        FileSystemModelStore store = open();
        assertThat(store.delete(V1)).isFalse();
        assertThat(store.deleted(V1)).isFalse();
        assertThat(store.publish(onnx("vad", "1"), stream(MODEL), ACCEPT).version()).isEqualTo("1");
    }

    @Test
    void aDeleteInterruptedAfterItsTombstoneIsFinishedAtTheNextStart() throws IOException {
        FileSystemModelStore store = open();
        store.publish(onnx("vad", "1"), stream(MODEL), ACCEPT);
        // What a crash between writing the tombstone and renaming the version away leaves.
        Files.createDirectories(root.resolve(Tombstones.DIR).resolve("vad"));
        Files.writeString(root.resolve(Tombstones.DIR).resolve("vad").resolve("1"), "2026-12-01T10:00:00Z\n");

        FileSystemModelStore reopened = open();

        assertThat(reopened.find(V1)).isEmpty();
        assertThat(reopened.names()).isEmpty();
        assertThat(root.resolve("vad")).doesNotExist();
        assertThat(reopened.deleted(V1)).isTrue();
    }
}
