package dev.torpor.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestFilesTest {
    private static final ModelManifest MANIFEST = new ModelManifest("vad", "1", "acme", ModelFormat.TORCHSCRIPT,
            "PyTorch", "weights/model.pt", "ab".repeat(32), 2327524, Instant.parse("2026-11-30T15:00:00.123Z"),
            new Signature(List.of(new TensorSpec("sr", DataType.INT64, new long[0])),
                    List.of(new TensorSpec("y", DataType.FP16, new long[] {-1, 1}))),
            69);

    @TempDir
    Path dir;

    @Test
    void writesTheDocumentedFields() throws IOException {
        ManifestFiles.write(dir, MANIFEST);

        JsonNode json = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
        assertThat(json.get("name").asText()).isEqualTo("vad");
        assertThat(json.get("version").asText()).isEqualTo("1");
        assertThat(json.get("owner").asText()).isEqualTo("acme");
        assertThat(json.get("format").asText()).isEqualTo("torchscript");
        assertThat(json.get("engine").asText()).isEqualTo("PyTorch");
        assertThat(json.get("file").asText()).isEqualTo("weights/model.pt");
        assertThat(json.get("sha256").asText()).isEqualTo("ab".repeat(32));
        assertThat(json.get("sizeBytes").asLong()).isEqualTo(2327524);
        assertThat(json.get("publishedAt").asText()).isEqualTo("2026-11-30T15:00:00.123Z");
        assertThat(json.get("inputs").toString()).isEqualTo("[{\"name\":\"sr\",\"datatype\":\"INT64\",\"shape\":[]}]");
        assertThat(json.get("outputs").toString())
                .isEqualTo("[{\"name\":\"y\",\"datatype\":\"FP16\",\"shape\":[-1,1]}]");
        assertThat(json.get("estimatedMemoryMb").asLong()).isEqualTo(69);
    }

    @Test
    void readsBackWhatItWrote() throws IOException {
        ManifestFiles.write(dir, MANIFEST);

        assertThat(ManifestFiles.read(dir)).isEqualTo(MANIFEST);
    }

    @Test
    void readsFieldsInAnyOrderAndIgnoresUnknownOnes() throws IOException {
        Files.writeString(dir.resolve("manifest.json"), """
                {"estimatedMemoryMb": 69, "outputs": [{"shape": [-1, 1], "datatype": "FP16", "name": "y"}],
                 "addedLater": {"x": 1},
                 "inputs": [{"datatype": "INT64", "name": "sr", "shape": []}],
                 "publishedAt": "2026-11-30T15:00:00.123Z", "sizeBytes": 2327524, "sha256": "%s",
                 "file": "weights/model.pt", "engine": "PyTorch", "format": "torchscript", "owner": "acme",
                 "version": "1", "name": "vad"}""".formatted("ab".repeat(32)));

        assertThat(ManifestFiles.read(dir)).isEqualTo(MANIFEST);
    }

    @Test
    void nullEngineRoundTrips() throws IOException {
        ModelManifest noEngine = new ModelManifest("vad", "1", "default", ModelFormat.ONNX, null, "model.onnx",
                "00", 1, Instant.EPOCH, MANIFEST.signature(), 65);
        ManifestFiles.write(dir, noEngine);

        assertThat(ManifestFiles.read(dir)).isEqualTo(noEngine);
    }

    @Test
    void anInvalidManifestIsAnIOExceptionThatSaysWhy() throws IOException {
        Files.writeString(dir.resolve("manifest.json"), "{\"name\": \"vad\"}");

        assertThatThrownBy(() -> ManifestFiles.read(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("not a valid manifest");
    }

    @Test
    void aMissingManifestIsAnIOException() {
        assertThatThrownBy(() -> ManifestFiles.read(dir)).isInstanceOf(IOException.class);
    }
}
