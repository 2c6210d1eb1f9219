package dev.torpor.store;

import static dev.torpor.store.StoreFixture.ACCEPT;
import static dev.torpor.store.StoreFixture.onnx;
import static dev.torpor.store.StoreFixture.stream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.fixtures.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the store forces to disk, recorded through its {@link FileSync} seam (which also really forces, so the
 * production path runs): every file of a version, its directories, and the directories its rename changed.
 */
class StoreDurabilityTest {
    private static final byte[] MODEL = "pretend this is an onnx protobuf".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path root;

    private final List<Path> forced = new CopyOnWriteArrayList<>();
    /** Each forced path with where it was when forced: staged files live under {@code .staging} until the rename. */
    private final List<String> forcedWhere = new CopyOnWriteArrayList<>();
    private FileSystemModelStore store;

    @BeforeEach
    void open() {
        FileSync recording = path -> {
            FileSync.DISK.force(path);
            forced.add(path.getFileName());
            forcedWhere.add(root.toAbsolutePath().relativize(path.toAbsolutePath()).toString());
        };
        store = new FileSystemModelStore(root, new MutableClock(Instant.parse("2026-12-01T10:00:00Z")),
                ArchiveLimits.defaults(), recording);
    }

    @Test
    void aPublishForcesTheArtifactTheManifestTheVersionDirectoryAndTheDirectoriesItsRenameChanged() {
        store.publish(onnx("vad", "1"), stream(MODEL), ACCEPT);

        List<String> staged = forcedWhere.stream().filter(p -> p.startsWith(".staging")).toList();
        assertThat(staged).as("forced before the rename, while staged").hasSize(3);
        assertThat(staged).anyMatch(p -> p.endsWith("/model.onnx")).anyMatch(p -> p.endsWith("/manifest.json"));
        assertThat(forcedWhere).as("after the rename: the model's directory, new, and the root")
                .endsWith("vad", "");
        assertThat(forcedWhere.indexOf("vad")).isGreaterThan(forcedWhere.lastIndexOf(staged.get(2)));
    }

    @Test
    void aSecondVersionForcesItsModelsDirectoryButNotTheRoot() {
        store.publish(onnx("vad", "1"), stream(MODEL), ACCEPT);
        forcedWhere.clear();

        store.publish(onnx("vad", "2"), stream(MODEL), ACCEPT);

        assertThat(forcedWhere).endsWith("vad").doesNotContain("");
    }

    @Test
    void everyFileOfAnArchiveIsForced() throws IOException {
        byte[] zip = TestZips.zip().file("model.json", "{\"format\": \"onnx\", \"file\": \"nested/m.onnx\"}")
                .file("nested/m.onnx", MODEL).file("nested/deeper/vocab.txt", "a b c").bytes();

        ModelManifest manifest = store.publish(StoreFixture.archive("arch", "1"), stream(zip), ACCEPT);

        assertThat(Files.exists(store.artifact(manifest))).isTrue();
        assertThat(forced).extracting(Path::toString)
                .contains("model.json", "m.onnx", "vocab.txt", "manifest.json", "deeper", "nested", "arch");
    }

    @Test
    void aDeleteForcesItsTombstoneBeforeTheVersionGoes() {
        store.publish(onnx("vad", "1"), stream(MODEL), ACCEPT);
        forcedWhere.clear();

        store.delete(new ModelId("vad", "1"));

        assertThat(forcedWhere).containsExactly(".tombstones/vad/1", ".tombstones/vad", ".tombstones");
    }
}
