package dev.torpor.store;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.torpor.error.BadRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the {@code model.json} at the root of an unpacked archive into a {@link ModelDescriptor}, strictly:
 * an unknown field, a wrong type, an unknown format or datatype, or a {@code file} that is not a regular file
 * of the archive is a {@link BadRequest} naming the field, so that a typo is reported at publish rather than
 * silently ignored.
 */
final class DescriptorParser {
    static final String FILE_NAME = "model.json";

    /** model.json is a few hundred bytes; this only keeps a hostile one from filling the heap. */
    static final long MAX_DESCRIPTOR_BYTES = 1024 * 1024;

    private static final Set<String> FIELDS = Set.of("format", "engine", "file", "inputs", "outputs", "config",
            "block", "blockArguments");

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private DescriptorParser() {
    }

    /**
     * @param dir the unpacked archive
     * @throws BadRequest model.json is missing, unreadable or invalid
     */
    static ModelDescriptor parse(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new BadRequest("archive has no " + FILE_NAME + " at its root");
        }
        JsonNode root = readTree(file);
        if (root == null || !root.isObject()) {
            throw new BadRequest(FILE_NAME + " must be a JSON object");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new BadRequest(FILE_NAME + ": unknown field '" + name + "'");
            }
        }
        return new ModelDescriptor(format(root), optionalText(root, "engine"), entryPoint(dir, root),
                signature(root), config(root), optionalText(root, "block"), blockArguments(root));
    }

    /** The {@code blockArguments} object as plain Java values (Map, List, String, Number, Boolean). */
    private static Map<String, Object> blockArguments(JsonNode root) {
        JsonNode node = root.get("blockArguments");
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw new BadRequest(FILE_NAME + ": field 'blockArguments' must be an object");
        }
        JsonNode block = root.get("block");
        if (block == null || block.isNull()) {
            throw new BadRequest(FILE_NAME + ": field 'blockArguments' needs a 'block' to apply to");
        }
        return MAPPER.convertValue(node, new TypeReference<LinkedHashMap<String, Object>>() { });
    }

    private static JsonNode readTree(Path file) {
        try {
            if (Files.size(file) > MAX_DESCRIPTOR_BYTES) {
                throw new BadRequest(FILE_NAME + " is larger than " + Sizes.describe(MAX_DESCRIPTOR_BYTES));
            }
            return MAPPER.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new BadRequest(FILE_NAME + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    private static ModelFormat format(JsonNode root) {
        JsonNode node = root.get("format");
        if (node == null || node.isNull()) {
            throw new BadRequest(FILE_NAME + ": field 'format' is required (onnx, torchscript or djl)");
        }
        if (!node.isTextual()) {
            throw new BadRequest(FILE_NAME + ": field 'format' must be a string (onnx, torchscript or djl)");
        }
        ModelFormat format = ModelFormat.fromWireName(node.asText());
        if (format == null) {
            throw new BadRequest(FILE_NAME + ": field 'format' has the unknown value '" + node.asText()
                    + "' (expected onnx, torchscript or djl)");
        }
        return format;
    }

    private static String optionalText(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new BadRequest(FILE_NAME + ": field '" + field + "' must be a string");
        }
        return node.asText();
    }

    /** The entry point as a normalised path relative to {@code dir}, checked to be a regular file inside it. */
    private static String entryPoint(Path dir, JsonNode root) {
        String file = optionalText(root, "file");
        if (file == null || file.isEmpty()) {
            throw new BadRequest(FILE_NAME + ": field 'file' is required (the model file's path in the archive)");
        }
        Path resolved;
        try {
            resolved = file.startsWith("/") || file.contains("\\") ? null : dir.resolve(file).normalize();
        } catch (InvalidPathException e) {
            resolved = null;
        }
        if (resolved == null || !resolved.startsWith(dir) || resolved.equals(dir)) {
            throw new BadRequest(FILE_NAME + ": field 'file' must be a relative path inside the archive, was '"
                    + file + "'");
        }
        if (!Files.isRegularFile(resolved, LinkOption.NOFOLLOW_LINKS)) {
            throw new BadRequest(FILE_NAME + ": field 'file' names '" + file + "', which is not a file in the archive");
        }
        return dir.relativize(resolved).toString();
    }

    /** Null when the publisher declared no signature: the engine must then read it from the model. */
    private static Signature signature(JsonNode root) {
        JsonNode inputs = root.get("inputs");
        JsonNode outputs = root.get("outputs");
        boolean hasInputs = inputs != null && !inputs.isNull();
        boolean hasOutputs = outputs != null && !outputs.isNull();
        if (!hasInputs && !hasOutputs) {
            return null;
        }
        if (!hasInputs || !hasOutputs) {
            throw new BadRequest(FILE_NAME + ": fields 'inputs' and 'outputs' go together; give both or neither");
        }
        try {
            List<TensorSpec> in = SignatureJson.read(inputs, "inputs", true);
            List<TensorSpec> out = SignatureJson.read(outputs, "outputs", true);
            return new Signature(in, out);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(FILE_NAME + ": " + e.getMessage(), e);
        }
    }

    /** The raw {@code config} object: the router validates and applies it, the store only carries it. */
    private static String config(JsonNode root) {
        JsonNode node = root.get("config");
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new BadRequest(FILE_NAME + ": field 'config' must be an object");
        }
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed JSON tree always serialises", e);
        }
    }
}
