package dev.torpor.store;

import static dev.torpor.store.StoreFixture.ACCEPT;
import static dev.torpor.store.StoreFixture.REJECT;
import static dev.torpor.store.StoreFixture.SIGNATURE;
import static dev.torpor.store.StoreFixture.assertNoTrace;
import static dev.torpor.store.StoreFixture.onnx;
import static dev.torpor.store.StoreFixture.sha256;
import static dev.torpor.store.StoreFixture.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torpor.error.BadInput;
import dev.torpor.error.BadRequest;
import dev.torpor.error.PayloadTooLarge;
import dev.torpor.error.VersionConflict;
import dev.torpor.fixtures.MutableClock;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemModelStoreTest {
    private static final byte[] MODEL = "pretend this is an onnx protobuf".getBytes(StandardCharsets.UTF_8);
    private static final Instant T0 = Instant.parse("2026-11-30T15:00:00.123Z");

    @TempDir
    Path root;

    private MutableClock clock;
    private FileSystemModelStore store;

    @BeforeEach
    void open() {
        clock = new MutableClock(T0);
        store = new FileSystemModelStore(root, clock, ArchiveLimits.defaults());
    }

    @Test
    void publishedOnnxFileCanBeFoundListedAndRead() throws IOException {
        ModelManifest manifest = store.publish(onnx("vad", "1"), stream(MODEL), ACCEPT);

        assertThat(manifest.name()).isEqualTo("vad");
        assertThat(manifest.version()).isEqualTo("1");
        assertThat(manifest.owner()).isEqualTo("default");
        assertThat(manifest.format()).isEqualTo(ModelFormat.ONNX);
        assertThat(manifest.engine()).isNull();
        assertThat(manifest.file()).isEqualTo("model.onnx");
        assertThat(manifest.sha256()).isEqualTo(sha256(MODEL));
        assertThat(manifest.sizeBytes()).isEqualTo(MODEL.length);
        assertThat(manifest.publishedAt()).isEqualTo(T0);
        assertThat(manifest.signature()).isEqualTo(SIGNATURE);
        assertThat(manifest.estimatedMemoryMb()).isEqualTo(MemoryEstimate.forArtifactBytes(MODEL.length));

        assertThat(store.find(new ModelId("vad", "1"))).contains(manifest);
        assertThat(store.versions("vad")).containsExactly(manifest);
        assertThat(store.names()).containsExactly("vad");
        Path artifact = store.artifact(manifest);
        assertThat(artifact).isEqualTo(root.resolve("vad/1/model.onnx").toAbsolutePath());
        assertThat(Files.readAllBytes(artifact)).isEqualTo(MODEL);
        assertThat(root.resolve("vad/1/manifest.json")).isRegularFile();
        assertThat(StoreFixture.children(root.resolve(".staging"))).isEmpty();
    }

    @Test
    void inspectorSeesTheUploadedFileAsOnnxWithoutADescriptor() {
        store.publish(onnx("vad", "1"), stream(MODEL), (artifact, format, declared) -> {
            assertThat(artifact.getFileName().toString()).isEqualTo("model.onnx");
            try {
                assertThat(Files.readAllBytes(artifact)).isEqualTo(MODEL);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            assertThat(format).isEqualTo(ModelFormat.ONNX);
            assertThat(declared).isNull();
            return SIGNATURE;
        });
    }

    @Test
    void unknownModelsAndVersionsAreAbsent() {
        store.publish(onnx("vad", "1"), stream(MODEL), ACCEPT);

        assertThat(store.find(new ModelId("vad", "2"))).isEmpty();
        assertThat(store.find(new ModelId("ocr", "1"))).isEmpty();
        assertThat(store.versions("ocr")).isEmpty();
    }

    @Test
    void versionsAreOldestFirstAndNamesSorted() {
        store.publish(onnx("vad", "10"), stream(MODEL), ACCEPT);
        clock.advance(Duration.ofSeconds(1));
        store.publish(onnx("vad", "2"), stream(MODEL), ACCEPT);
        // Same instant as "2": the version breaks the tie.
        store.publish(onnx("vad", "1"), stream(MODEL), ACCEPT);
        store.publish(onnx("ocr", "1"), stream(MODEL), ACCEPT);
        store.publish(onnx("Beta", "1"), stream(MODEL), ACCEPT);

        assertThat(store.versions("vad")).extracting(ModelManifest::version).containsExactly("10", "1", "2");
        assertThat(store.names()).containsExactly("Beta", "ocr", "vad");
    }

    @Test
    void republishingAVersionConflictsAndKeepsTheFirst() throws IOException {
        ModelManifest first = store.publish(onnx("vad", "1"), stream(MODEL), ACCEPT);
        AtomicBoolean read = new AtomicBoolean();
        InputStream second = new InputStream() {
            @Override
            public int read() {
                read.set(true);
                return 'x';
            }
        };

        assertThatThrownBy(() -> store.publish(onnx("vad", "1"), second, ACCEPT))
                .isInstanceOf(VersionConflict.class)
                .hasMessage("model vad version 1 already exists; versions are immutable");

        assertThat(read).as("the upload is not read once the version is known to exist").isFalse();
        assertThat(store.find(first.id())).contains(first);
        assertThat(Files.readAllBytes(store.artifact(first))).isEqualTo(MODEL);
        assertThat(StoreFixture.children(root.resolve(".staging"))).isEmpty();
    }

    @Test
    void versionWrittenBehindTheStoresBackDuringAPublishIsAConflict() throws IOException {
        Path intruder = root.resolve("vad/1");
        ModelInspector otherProcessWins = (artifact, format, declared) -> {
            try {
                Files.createDirectories(intruder);
                Files.writeString(intruder.resolve("manifest.json"), "{}");
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return SIGNATURE;
        };

        assertThatThrownBy(() -> store.publish(onnx("vad", "1"), stream(MODEL), otherProcessWins))
                .isInstanceOf(VersionConflict.class);
        assertThat(intruder.resolve("manifest.json")).hasContent("{}");
        assertThat(intruder.resolve("model.onnx")).doesNotExist();
        assertThat(StoreFixture.children(root.resolve(".staging"))).isEmpty();
    }

    @Test
    void uploadOverTheLimitIsRefusedAndLeavesNothing() {
        byte[] big = new byte[2 * 1024 * 1024 + 1];
        PublishRequest request = new PublishRequest(new ModelId("vad", "1"), "default",
                PublishRequest.UploadKind.ONNX_FILE, 2 * 1024 * 1024);

        assertThatThrownBy(() -> store.publish(request, stream(big), ACCEPT))
                .isInstanceOf(PayloadTooLarge.class)
                .hasMessage("upload exceeds the 2 MB publish limit (TORPOR_MAX_UPLOAD_MB)");
        assertNoTrace(store, root, request.id());
        assertThat(store.names()).isEmpty();
    }

    @Test
    void uploadExactlyAtTheLimitIsAccepted() {
        PublishRequest request = new PublishRequest(new ModelId("vad", "1"), "default",
                PublishRequest.UploadKind.ONNX_FILE, MODEL.length);

        assertThat(store.publish(request, stream(MODEL), ACCEPT).sizeBytes()).isEqualTo(MODEL.length);
    }

    @Test
    void uploadThatBreaksHalfWayIsABadRequestAndLeavesNothing() {
        InputStream broken = new InputStream() {
            private int sent;

            @Override
            public int read() throws IOException {
                if (sent++ >= 100_000) {
                    throw new IOException("connection reset");
                }
                return 7;
            }
        };
        PublishRequest request = new PublishRequest(new ModelId("vad", "1"), "default",
                PublishRequest.UploadKind.ONNX_FILE, 10 * 1024 * 1024);

        assertThatThrownBy(() -> store.publish(request, broken, ACCEPT))
                .isInstanceOf(BadRequest.class)
                .hasMessage("upload interrupted: connection reset");
        assertNoTrace(store, root, request.id());
    }

    @Test
    void emptyUploadIsABadRequest() {
        assertThatThrownBy(() -> store.publish(onnx("vad", "1"), stream(new byte[0]), ACCEPT))
                .isInstanceOf(BadRequest.class)
                .hasMessageContaining("empty");
        assertNoTrace(store, root, new ModelId("vad", "1"));
    }

    @Test
    void engineRefusalPropagatesUnchangedAndLeavesNothing() {
        assertThatThrownBy(() -> store.publish(onnx("vad", "1"), stream(MODEL), REJECT))
                .isInstanceOf(BadInput.class)
                .hasMessage("input 'x' uses the unsupported datatype BF16");
        assertNoTrace(store, root, new ModelId("vad", "1"));
        assertThat(store.names()).isEmpty();
    }

    @Test
    void unexpectedInspectorFailureAlsoLeavesNothing() {
        ModelInspector crashing = (artifact, format, declared) -> {
            throw new IllegalStateException("engine bug");
        };

        assertThatThrownBy(() -> store.publish(onnx("vad", "1"), stream(MODEL), crashing))
                .isInstanceOf(IllegalStateException.class);
        assertNoTrace(store, root, new ModelId("vad", "1"));
    }

    @Test
    void deleteRemovesTheVersionOnceAndTheModelWithItsLastVersion() {
        store.publish(onnx("vad", "1"), stream(MODEL), ACCEPT);
        store.publish(onnx("vad", "2"), stream(MODEL), ACCEPT);

        assertThat(store.delete(new ModelId("vad", "1"))).isTrue();
        assertThat(store.find(new ModelId("vad", "1"))).isEmpty();
        assertThat(store.versions("vad")).extracting(ModelManifest::version).containsExactly("2");
        assertThat(root.resolve("vad/1")).doesNotExist();
        assertThat(store.delete(new ModelId("vad", "1"))).isFalse();

        assertThat(store.delete(new ModelId("vad", "2"))).isTrue();
        assertThat(store.names()).isEmpty();
        assertThat(root.resolve("vad")).doesNotExist();
        assertThat(StoreFixture.children(root.resolve(".trash"))).isEmpty();
    }

    @Test
    void aDeletedVersionsNumberStaysUsedAndCannotBePublishedAgain() {
        store.publish(onnx("vad", "1"), stream(MODEL), ACCEPT);
        store.delete(new ModelId("vad", "1"));
        byte[] other = Arrays.copyOf(MODEL, MODEL.length + 1);

        assertThatThrownBy(() -> store.publish(onnx("vad", "1"), stream(other), ACCEPT))
                .isInstanceOf(VersionConflict.class).hasMessageContaining("was deleted");

        assertThat(store.deleted(new ModelId("vad", "1"))).isTrue();
        assertThat(store.find(new ModelId("vad", "1"))).isEmpty();
        assertNoTrace(store, root, new ModelId("vad", "1"));
    }

    @Test
    void artifactRefusesAManifestWhoseFileLeavesTheVersionDirectory() {
        ModelManifest manifest = store.publish(onnx("vad", "1"), stream(MODEL), ACCEPT);
        ModelManifest forged = new ModelManifest("vad", "1", "default", ModelFormat.ONNX, null, "../../etc/passwd",
                manifest.sha256(), 1, T0, SIGNATURE, 64);

        assertThatThrownBy(() -> store.artifact(forged)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void invalidNamesAreRefusedBeforeAnythingIsStored() {
        for (String bad : new String[] {"..", ".", "", "-vad", "a/b", "vad\u0000", "x".repeat(129), ".staging"}) {
            assertThatThrownBy(() -> new ModelId(bad, "1")).as(bad).isInstanceOf(BadRequest.class);
            assertThatThrownBy(() -> new ModelId("vad", bad)).as(bad).isInstanceOf(BadRequest.class);
        }
        assertThat(new ModelId("a.b-c_9", "1.0.0-rc1").toString()).isEqualTo("a.b-c_9/1.0.0-rc1");
    }
}
