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
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a new store sees on a root an earlier process left behind. */
class StoreRecoveryTest {
    private static final byte[] MODEL = "model".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path root;

    private MutableClock clock;

    @BeforeEach
    void clock() {
        clock = new MutableClock(Instant.parse("2026-11-30T14:59:06.123456789Z"));
    }

    private FileSystemModelStore open() {
        return new FileSystemModelStore(root, clock, ArchiveLimits.defaults());
    }

    @Test
    void reopenedStoreSeesTheSameManifests() throws IOException {
        FileSystemModelStore first = open();
        ModelManifest v1 = first.publish(onnx("vad", "1"), stream(MODEL), ACCEPT);
        clock.advance(Duration.ofSeconds(5));
        ModelManifest v2 = first.publish(onnx("vad", "2"), stream(MODEL), ACCEPT);
        byte[] zip = TestZips.zip()
                .file("model.json", """
                        {"format": "djl", "engine": "PyTorch", "file": "m/model.pt",
                         "inputs": [{"name": "x", "datatype": "BYTES", "shape": []}],
                         "outputs": [{"name": "y", "datatype": "FP64", "shape": [-1, 3]}]}""")
                .file("m/model.pt", "pt").bytes();
        ModelManifest djl = first.publish(StoreFixture.archive("text", "a"), stream(zip),
                (artifact, format, declared) -> declared.signature());

        FileSystemModelStore second = open();

        assertThat(second.names()).containsExactly("text", "vad");
        assertThat(second.versions("vad")).containsExactly(v1, v2);
        assertThat(second.find(djl.id())).contains(djl);
        assertThat(Files.readString(second.artifact(djl))).isEqualTo("pt");
    }

    @Test
    void leftoversOfAnInterruptedProcessAreDeletedAtStart() throws IOException {
        open();
        Path staged = Files.createDirectories(root.resolve(".staging/3f1c/weights"));
        Files.writeString(staged.resolve("model.pt"), "half");
        Files.writeString(root.resolve(".staging/3f1c.zip"), "half an upload");
        Files.createDirectories(root.resolve(".trash/77aa/sub"));

        FileSystemModelStore store = open();

        assertThat(StoreFixture.children(root.resolve(".staging"))).isEmpty();
        assertThat(StoreFixture.children(root.resolve(".trash"))).isEmpty();
        assertThat(store.names()).isEmpty();
    }

    @Test
    void versionsWithAMissingOrBrokenManifestAreIgnored() throws IOException {
        FileSystemModelStore first = open();
        ModelManifest good = first.publish(onnx("vad", "1"), stream(MODEL), ACCEPT);
        first.publish(onnx("vad", "2"), stream(MODEL), ACCEPT);
        first.publish(onnx("vad", "3"), stream(MODEL), ACCEPT);
        first.publish(onnx("ocr", "1"), stream(MODEL), ACCEPT);
        Files.delete(root.resolve("vad/2/manifest.json"));
        Files.writeString(root.resolve("vad/3/manifest.json"), "{\"name\": \"vad\", trunc");
        // A manifest copied into the wrong directory must not make it serve another model's id.
        Files.copy(root.resolve("vad/1/manifest.json"), root.resolve("ocr/1/manifest.json"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.createDirectories(root.resolve("not a valid name/1"));
        Files.writeString(root.resolve("stray-file"), "x");

        FileSystemModelStore second = open();

        assertThat(second.versions("vad")).containsExactly(good);
        assertThat(second.versions("ocr")).isEmpty();
        assertThat(second.names()).containsExactly("vad");
    }
}
