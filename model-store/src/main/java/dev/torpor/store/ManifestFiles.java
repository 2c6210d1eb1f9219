package dev.torpor.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Reads and writes a version's {@code manifest.json}: {@code name, version, owner, format} (wire name),
 * {@code engine, file, sha256, sizeBytes, publishedAt} (ISO-8601 UTC), {@code inputs, outputs} (each
 * {@code {name, datatype, shape}}) and {@code estimatedMemoryMb}. Reading goes by field name, so field
 * order does not matter, and ignores fields it does not know, so that a manifest written by a later
 * version of the store still loads. The JSON is built by hand from a tree rather than bound to
 * {@link ModelManifest}, which keeps the file format independent of the record's shape and spares a
 * {@code java.time} module.
 */
final class ManifestFiles {
    static final String FILE_NAME = "manifest.json";

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ManifestFiles() {
    }

    /**
     * Writes {@code manifest.json} into {@code dir}. Not forced here: the store forces the whole staged version,
     * manifest included, before renaming it into place.
     */
    static void write(Path dir, ModelManifest manifest) throws IOException {
        byte[] json = MAPPER.writeValueAsBytes(toJson(manifest));
        try (FileChannel channel = FileChannel.open(dir.resolve(FILE_NAME),
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(json);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }

    /** @throws IOException the file is missing, unreadable, or not a valid manifest (the message says why) */
    static ModelManifest read(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        JsonNode root;
        try {
            root = MAPPER.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IOException(file + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
        try {
            return fromJson(root);
        } catch (IllegalArgumentException | NullPointerException | DateTimeParseException e) {
            throw new IOException(file + " is not a valid manifest: " + e.getMessage(), e);
        }
    }

    static ObjectNode toJson(ModelManifest manifest) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("name", manifest.name());
        node.put("version", manifest.version());
        node.put("owner", manifest.owner());
        node.put("format", manifest.format().wireName());
        node.put("engine", manifest.engine());
        node.put("file", manifest.file());
        node.put("sha256", manifest.sha256());
        node.put("sizeBytes", manifest.sizeBytes());
        node.put("publishedAt", manifest.publishedAt().toString());
        node.set("inputs", SignatureJson.write(manifest.signature().inputs()));
        node.set("outputs", SignatureJson.write(manifest.signature().outputs()));
        node.put("estimatedMemoryMb", manifest.estimatedMemoryMb());
        return node;
    }

    private static ModelManifest fromJson(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the manifest must be a JSON object");
        }
        String formatName = text(root, "format");
        ModelFormat format = ModelFormat.fromWireName(formatName);
        if (format == null) {
            throw new IllegalArgumentException("unknown format '" + formatName + "'");
        }
        JsonNode engine = root.get("engine");
        long sizeBytes = number(root, "sizeBytes");
        JsonNode memory = root.get("estimatedMemoryMb");
        return new ModelManifest(
                text(root, "name"),
                text(root, "version"),
                text(root, "owner"),
                format,
                engine == null || engine.isNull() ? null : engine.asText(),
                text(root, "file"),
                text(root, "sha256"),
                sizeBytes,
                Instant.parse(text(root, "publishedAt")),
                new Signature(SignatureJson.read(root.get("inputs"), "inputs", false),
                        SignatureJson.read(root.get("outputs"), "outputs", false)),
                // Derivable, so an older manifest without it still loads.
                memory != null && memory.isIntegralNumber() ? memory.asLong() : MemoryEstimate.forArtifactBytes(sizeBytes));
    }

    private static String text(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("'" + field + "' must be a string");
        }
        return value.asText();
    }

    private static long number(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new IllegalArgumentException("'" + field + "' must be an integer");
        }
        return value.asLong();
    }
}
