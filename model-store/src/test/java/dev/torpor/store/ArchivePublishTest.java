package dev.torpor.store;

import static dev.torpor.store.StoreFixture.ACCEPT;
import static dev.torpor.store.StoreFixture.SIGNATURE;
import static dev.torpor.store.StoreFixture.archive;
import static dev.torpor.store.StoreFixture.assertNoTrace;
import static dev.torpor.store.StoreFixture.sha256;
import static dev.torpor.store.StoreFixture.stream;
import static dev.torpor.store.TestZips.zip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.torpor.error.BadRequest;
import dev.torpor.error.PayloadTooLarge;
import dev.torpor.error.TorporException;
import dev.torpor.fixtures.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchivePublishTest {
    private static final String ONNX_JSON = "{\"format\": \"onnx\", \"file\": \"model.onnx\"}";
    private static final String TORCH_JSON = """
            {"format": "torchscript", "engine": "PyTorch", "file": "weights/model.pt",
             "inputs":  [{"name": "x", "datatype": "FP32", "shape": [-1, 8]}],
             "outputs": [{"name": "y", "datatype": "INT64", "shape": [-1, 1]}],
             "config": {"maxInstances": 2, "batching": {"maxBatchSize": 8}}}
            """;
    private static final ModelId ID = new ModelId("clf", "1");

    @TempDir
    Path root;

    private FileSystemModelStore store;

    @BeforeEach
    void open() {
        store = new FileSystemModelStore(root, new MutableClock(Instant.parse("2026-01-01T00:00:00Z")),
                new ArchiveLimits(5, 1024 * 1024));
    }

    @Test
    void onnxArchiveIsUnpackedAndServedFromItsEntryPoint() throws IOException {
        byte[] upload = zip().file("model.json", ONNX_JSON).file("model.onnx", "onnx-bytes").bytes();

        ModelManifest manifest = store.publish(archive("clf", "1"), stream(upload), ACCEPT);

        assertThat(manifest.format()).isEqualTo(ModelFormat.ONNX);
        assertThat(manifest.file()).isEqualTo("model.onnx");
        assertThat(manifest.sha256()).isEqualTo(sha256(upload));
        assertThat(manifest.sizeBytes()).isEqualTo(upload.length);
        assertThat(Files.readString(store.artifact(manifest))).isEqualTo("onnx-bytes");
        assertThat(root.resolve("clf/1/model.json")).isRegularFile();
        assertThat(StoreFixture.children(root.resolve(".staging"))).isEmpty();
    }

    @Test
    void torchscriptArchiveHandsTheDeclaredSignatureAndConfigToTheInspector() throws IOException {
        byte[] weights = new byte[3000];
        byte[] upload = zip().file("model.json", TORCH_JSON).directory("weights")
                .file("weights/model.pt", weights).file("README", "hello").bytes();
        AtomicReference<ModelDescriptor> seen = new AtomicReference<>();

        ModelManifest manifest = store.publish(archive("clf", "1"), stream(upload), (artifact, format, declared) -> {
            assertThat(artifact).endsWith(Path.of("weights", "model.pt")).isRegularFile();
            assertThat(format).isEqualTo(ModelFormat.TORCHSCRIPT);
            seen.set(declared);
            return declared.signature();
        });

        ModelDescriptor declared = seen.get();
        assertThat(declared.engine()).isEqualTo("PyTorch");
        assertThat(declared.file()).isEqualTo("weights/model.pt");
        assertThat(declared.signature().inputs())
                .containsExactly(new TensorSpec("x", DataType.FP32, new long[] {-1, 8}));
        assertThat(declared.signature().outputs())
                .containsExactly(new TensorSpec("y", DataType.INT64, new long[] {-1, 1}));
        assertThat(declared.configJson()).isEqualTo("{\"maxInstances\":2,\"batching\":{\"maxBatchSize\":8}}");

        assertThat(manifest.format()).isEqualTo(ModelFormat.TORCHSCRIPT);
        assertThat(manifest.engine()).isEqualTo("PyTorch");
        assertThat(manifest.file()).isEqualTo("weights/model.pt");
        assertThat(manifest.signature()).isEqualTo(declared.signature());
        long unpacked = TORCH_JSON.getBytes(StandardCharsets.UTF_8).length + weights.length + "hello".length();
        assertThat(manifest.estimatedMemoryMb()).isEqualTo(MemoryEstimate.forArtifactBytes(unpacked));
        assertThat(Files.readAllBytes(store.artifact(manifest))).isEqualTo(weights);
        assertThat(root.resolve("clf/1/README")).hasContent("hello");
    }

    @Test
    void descriptorWithoutSignatureGivesTheInspectorNone() {
        AtomicReference<ModelDescriptor> seen = new AtomicReference<>();
        byte[] upload = zip().file("model.json", ONNX_JSON).file("model.onnx", "x").bytes();

        store.publish(archive("clf", "1"), stream(upload), (artifact, format, declared) -> {
            seen.set(declared);
            return SIGNATURE;
        });

        assertThat(seen.get().signature()).isNull();
        assertThat(seen.get().configJson()).isNull();
        assertThat(seen.get().engine()).isNull();
    }

    @Test
    void zipSlipIsRefused() {
        refused(zip().file("model.json", ONNX_JSON).file("model.onnx", "x").file("../evil", "x"))
                .isInstanceOf(BadRequest.class).hasMessageContaining("../evil");
        assertThat(root.getParent().resolve("evil")).doesNotExist();
    }

    @Test
    void zipSlipHiddenInsideAPathIsRefused() {
        refused(zip().file("model.json", ONNX_JSON).file("model.onnx", "x").file("a/../../evil", "x"))
                .isInstanceOf(BadRequest.class).hasMessageContaining("'..'");
    }

    @Test
    void absolutePathIsRefused() {
        refused(zip().file("model.json", ONNX_JSON).file("model.onnx", "x").file("/etc/x", "x"))
                .isInstanceOf(BadRequest.class).hasMessageContaining("/etc/x");
    }

    @Test
    void symlinkEntryIsRefused() {
        refused(zip().file("model.json", ONNX_JSON).symlink("model.onnx", "/etc/passwd"))
                .isInstanceOf(BadRequest.class).hasMessageContaining("symbolic link");
    }

    @Test
    void duplicateEntryIsRefused() {
        refused(zip().file("model.json", ONNX_JSON).file("model.onnx", "x").file("model.onnx", "y"))
                .isInstanceOf(BadRequest.class).hasMessageContaining("more than once");
    }

    @Test
    void entryNamedLikeTheManifestIsRefused() {
        refused(zip().file("model.json", ONNX_JSON).file("model.onnx", "x").file("manifest.json", "{}"))
                .isInstanceOf(BadRequest.class).hasMessageContaining("reserved");
    }

    @Test
    void tooManyEntriesAreRefused() {
        TestZips zip = zip().file("model.json", ONNX_JSON).file("model.onnx", "x");
        for (int i = 0; i < 4; i++) {
            zip.file("extra" + i, "x");
        }
        refused(zip).isInstanceOf(PayloadTooLarge.class).hasMessageContaining("more than 5 entries");
    }

    @Test
    void entriesUpToTheLimitAreAccepted() {
        TestZips zip = zip().file("model.json", ONNX_JSON).file("model.onnx", "x");
        for (int i = 0; i < 3; i++) {
            zip.file("extra" + i, "x");
        }
        assertThat(store.publish(archive("clf", "1"), stream(zip.bytes()), ACCEPT).id()).isEqualTo(ID);
    }

    @Test
    void zipBombIsRefusedByTheBytesWritten() {
        byte[] bomb = zip().file("model.json", ONNX_JSON).file("model.onnx", "x")
                .zeros("zeros.bin", 64L * 1024 * 1024).bytes();
        assertThat(bomb.length).as("small on the wire").isLessThan(1024 * 1024);

        refused(bomb).isInstanceOf(PayloadTooLarge.class)
                .hasMessage("archive unpacks to more than 1 MB (the unpacked archive limit, TORPOR_ARCHIVE_MAX_UNPACKED_MB)");
    }

    @Test
    void notAZipIsABadRequest() {
        refused("this is not a zip archive at all".getBytes(StandardCharsets.UTF_8))
                .isInstanceOf(BadRequest.class).hasMessageContaining("not a readable zip");
    }

    @Test
    void missingModelJsonIsABadRequest() {
        refused(zip().file("model.onnx", "x")).isInstanceOf(BadRequest.class).hasMessageContaining("no model.json");
    }

    @Test
    void modelJsonOnlyInASubdirectoryDoesNotCount() {
        refused(zip().file("sub/model.json", ONNX_JSON).file("model.onnx", "x"))
                .isInstanceOf(BadRequest.class).hasMessageContaining("no model.json");
    }

    @Test
    void modelJsonWithAnUnknownFieldIsABadRequestNamingIt() {
        refused(withModelJson("{\"format\": \"onnx\", \"file\": \"model.onnx\", \"fromat\": \"onnx\"}"))
                .isInstanceOf(BadRequest.class).hasMessageContaining("'fromat'");
    }

    @Test
    void modelJsonWithAnUnknownFormatIsABadRequest() {
        refused(withModelJson("{\"format\": \"tensorflow\", \"file\": \"model.onnx\"}"))
                .isInstanceOf(BadRequest.class).hasMessageContaining("'format'").hasMessageContaining("tensorflow");
    }

    @Test
    void modelJsonWithoutFormatIsABadRequest() {
        refused(withModelJson("{\"file\": \"model.onnx\"}"))
                .isInstanceOf(BadRequest.class).hasMessageContaining("'format' is required");
    }

    @Test
    void modelJsonWithAWrongTypeIsABadRequestNamingTheField() {
        refused(withModelJson("{\"format\": \"onnx\", \"file\": \"model.onnx\", \"engine\": 3}"))
                .isInstanceOf(BadRequest.class).hasMessageContaining("'engine'");
    }

    @Test
    void modelJsonNamingAMissingFileIsABadRequest() {
        refused(withModelJson("{\"format\": \"onnx\", \"file\": \"absent.onnx\"}"))
                .isInstanceOf(BadRequest.class).hasMessageContaining("'file'").hasMessageContaining("absent.onnx");
    }

    @Test
    void modelJsonWithoutFileIsABadRequest() {
        refused(withModelJson("{\"format\": \"onnx\"}"))
                .isInstanceOf(BadRequest.class).hasMessageContaining("'file' is required");
    }

    @Test
    void modelJsonNamingADirectoryOrAPathOutsideIsABadRequest() {
        refused(zip().file("model.json", "{\"format\": \"onnx\", \"file\": \"weights\"}").file("weights/a", "x"))
                .isInstanceOf(BadRequest.class).hasMessageContaining("'file'");
        refused(withModelJson("{\"format\": \"onnx\", \"file\": \"../clf/model.onnx\"}"))
                .isInstanceOf(BadRequest.class).hasMessageContaining("'file'");
    }

    @Test
    void modelJsonThatIsNotJsonIsABadRequest() {
        refused(withModelJson("{\"format\": \"onnx\", ")).isInstanceOf(BadRequest.class)
                .hasMessageContaining("not valid JSON");
        refused(withModelJson("{\"format\": \"onnx\", \"format\": \"djl\", \"file\": \"model.onnx\"}"))
                .isInstanceOf(BadRequest.class).hasMessageContaining("not valid JSON");
        refused(withModelJson("[]")).isInstanceOf(BadRequest.class).hasMessageContaining("JSON object");
    }

    @Test
    void modelJsonWithAnUnknownDatatypeIsABadRequestNamingTheTensor() {
        refused(withModelJson("""
                {"format": "onnx", "file": "model.onnx",
                 "inputs": [{"name": "x", "datatype": "FLOAT", "shape": [1]}], "outputs": []}"""))
                .isInstanceOf(BadRequest.class).hasMessageContaining("inputs[0].datatype").hasMessageContaining("FLOAT");
    }

    @Test
    void modelJsonWithBadTensorsIsABadRequestNamingTheField() {
        refused(withModelJson("""
                {"format": "onnx", "file": "model.onnx",
                 "inputs": [{"name": "x", "datatype": "FP32", "shape": [1]}],
                 "outputs": [{"name": "y", "datatype": "FP32", "shape": [-2]}]}"""))
                .isInstanceOf(BadRequest.class).hasMessageContaining("outputs[0].shape[0]");
        refused(withModelJson("""
                {"format": "onnx", "file": "model.onnx",
                 "inputs": [{"name": "x", "datatype": "FP32", "shape": [1], "dims": [1]}], "outputs": []}"""))
                .isInstanceOf(BadRequest.class).hasMessageContaining("inputs[0].dims");
        refused(withModelJson("""
                {"format": "onnx", "file": "model.onnx", "inputs": [{"name": "x", "datatype": "FP32", "shape": [1]}]}"""))
                .isInstanceOf(BadRequest.class).hasMessageContaining("both or neither");
        refused(withModelJson("{\"format\": \"onnx\", \"file\": \"model.onnx\", \"config\": [1]}"))
                .isInstanceOf(BadRequest.class).hasMessageContaining("'config'");
    }

    @Test
    void djlModelJsonCarriesItsBlockAndArgumentsToTheInspectorAndIsReadableAgainFromTheVersion() {
        String json = """
                {"format": "djl", "engine": "PyTorch", "file": "mlp-0002.params",
                 "block": "mlp", "blockArguments": {"inputs": 8, "hidden": [16, 4], "outputs": 1},
                 "inputs":  [{"name": "x", "datatype": "FP32", "shape": [-1, 8]}],
                 "outputs": [{"name": "y", "datatype": "FP32", "shape": [-1, 1]}]}""";
        AtomicReference<ModelDescriptor> seen = new AtomicReference<>();
        ModelManifest manifest = store.publish(archive("clf", "1"),
                stream(zip().file("model.json", json).file("mlp-0002.params", "p").bytes()),
                (artifact, format, declared) -> {
                    seen.set(declared);
                    return declared.signature();
                });
        assertThat(seen.get().block()).isEqualTo("mlp");
        assertThat(seen.get().blockArguments()).containsEntry("inputs", 8).containsEntry("hidden", List.of(16, 4));
        ModelDescriptor reread = ModelDescriptor.read(store.artifact(manifest).getParent());
        assertThat(reread.block()).isEqualTo("mlp");
        assertThat(reread.blockArguments()).isEqualTo(seen.get().blockArguments());
    }

    @Test
    void blockArgumentsWithoutABlockOrNotAnObjectAreABadRequest() {
        refused(withModelJson("{\"format\": \"djl\", \"file\": \"model.onnx\", \"blockArguments\": {}}"))
                .isInstanceOf(BadRequest.class).hasMessageContaining("'blockArguments' needs a 'block'");
        refused(withModelJson("{\"format\": \"djl\", \"file\": \"model.onnx\", \"block\": \"mlp\", "
                + "\"blockArguments\": [1]}"))
                .isInstanceOf(BadRequest.class).hasMessageContaining("'blockArguments' must be an object");
        refused(withModelJson("{\"format\": \"djl\", \"file\": \"model.onnx\", \"block\": 3}"))
                .isInstanceOf(BadRequest.class).hasMessageContaining("'block' must be a string");
    }

    private static TestZips withModelJson(String json) {
        return zip().file("model.json", json).file("model.onnx", "x");
    }

    private AbstractThrowableAssert<?, ? extends Throwable> refused(TestZips zip) {
        return refused(zip.bytes());
    }

    /** Publishes {@code upload}, expects a TorporException, checks nothing was left, and returns the assertion. */
    private AbstractThrowableAssert<?, ? extends Throwable> refused(byte[] upload) {
        List<String> before = store.names();
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
                () -> store.publish(archive("clf", "1"), stream(upload), ACCEPT));
        assertThat(thrown).isInstanceOf(TorporException.class);
        assertNoTrace(store, root, ID);
        assertThat(store.names()).isEqualTo(before);
        return assertThatThrownBy(() -> {
            throw thrown;
        });
    }
}
