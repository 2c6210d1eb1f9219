package dev.torpor.router.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.torpor.pool.DevicePreference;
import dev.torpor.error.BadRequest;
import dev.torpor.store.ModelId;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The fields an operator or publisher has set on a model, as stored: a JSON object holding only explicit
 * values, so that a default changed in a later release reaches every model that never overrode it.
 * {@link #merge} applies a PUT (a {@code null} field returns to "inherited"); {@link #resolve} overlays the
 * defaults and validates.
 */
public final class ModelConfigDocument {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, JsonNodeType> FIELDS = Map.ofEntries(
            Map.entry("defaultVersion", JsonNodeType.STRING),
            Map.entry("shared", JsonNodeType.BOOLEAN),
            Map.entry("device", JsonNodeType.STRING),
            Map.entry("memoryMb", JsonNodeType.NUMBER),
            Map.entry("minInstances", JsonNodeType.NUMBER),
            Map.entry("maxInstances", JsonNodeType.NUMBER),
            Map.entry("concurrencyPerInstance", JsonNodeType.NUMBER),
            Map.entry("idleTimeoutSeconds", JsonNodeType.NUMBER),
            Map.entry("maxQueue", JsonNodeType.NUMBER),
            Map.entry("requestTimeoutMs", JsonNodeType.NUMBER),
            Map.entry("batching", JsonNodeType.OBJECT),
            Map.entry("runtime", JsonNodeType.OBJECT));
    private static final Map<String, Set<String>> NESTED = Map.of(
            "batching", Set.of("maxBatchSize", "maxDelayMicros"),
            "runtime", Set.of("intraOpThreads", "interOpThreads"));
    private static final long MAX_COUNT = Integer.MAX_VALUE;

    private final ObjectNode explicit;
    /** The document is immutable, so its resolution is computed once: every infer request reads it. */
    private volatile ModelConfig resolved;

    private ModelConfigDocument(ObjectNode explicit) {
        this.explicit = explicit;
    }

    public static ModelConfigDocument empty() {
        return new ModelConfigDocument(JSON.createObjectNode());
    }

    /** Reads a stored document (trusted: it was validated when written). */
    public static ModelConfigDocument fromStored(String json) {
        try {
            return new ModelConfigDocument((ObjectNode) JSON.readTree(json));
        } catch (Exception corrupt) {
            throw new IllegalStateException("stored model config is not a JSON object: " + corrupt.getMessage(), corrupt);
        }
    }

    public String toStored() {
        return explicit.toString();
    }

    /**
     * Applies a patch: given fields replace the stored ones (nested objects field by field), {@code null}
     * removes a field. Unknown fields and wrong types are refused with 400 naming the field. The result is
     * not yet checked as a whole: {@link #resolve} does that.
     */
    public ModelConfigDocument merge(JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            throw new BadRequest("a model config must be a JSON object");
        }
        ObjectNode merged = explicit.deepCopy();
        for (Iterator<Map.Entry<String, JsonNode>> fields = patch.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            JsonNodeType expected = FIELDS.get(name);
            if (expected == null) {
                throw new BadRequest("unknown model config field '" + name + "'");
            }
            if (value.isNull()) {
                merged.remove(name);
            } else if (NESTED.containsKey(name)) {
                merged.set(name, mergeNested(name, merged.get(name), value));
            } else {
                merged.set(name, checked(name, value, expected));
            }
        }
        return new ModelConfigDocument(merged);
    }

    private static JsonNode mergeNested(String name, JsonNode current, JsonNode patch) {
        if (!patch.isObject()) {
            throw new BadRequest("model config field '" + name + "' must be an object");
        }
        ObjectNode merged = current instanceof ObjectNode object ? object.deepCopy() : JSON.createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> fields = patch.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String qualified = name + "." + field.getKey();
            if (!NESTED.get(name).contains(field.getKey())) {
                throw new BadRequest("unknown model config field '" + qualified + "'");
            }
            if (field.getValue().isNull()) {
                merged.remove(field.getKey());
            } else {
                merged.set(field.getKey(), checked(qualified, field.getValue(), JsonNodeType.NUMBER));
            }
        }
        return merged;
    }

    private static JsonNode checked(String name, JsonNode value, JsonNodeType expected) {
        if (value.getNodeType() != expected) {
            throw new BadRequest("model config field '" + name + "' must be a " + expected.name().toLowerCase());
        }
        if (expected == JsonNodeType.NUMBER && (!value.canConvertToExactIntegral() || !value.canConvertToLong()
                || Math.abs(value.asLong()) > MAX_COUNT)) {
            throw new BadRequest("model config field '" + name + "' must be a whole number up to " + MAX_COUNT);
        }
        if (name.equals("defaultVersion")) {
            ModelId.requireValidName(value.asText(), "defaultVersion");
        }
        return value;
    }

    /** Overlays the defaults; throws 400 naming the field when the combination is invalid. */
    public ModelConfig resolve() {
        ModelConfig known = resolved;
        if (known == null) {
            known = resolveNow();
            resolved = known;
        }
        return known;
    }

    private ModelConfig resolveNow() {
        ModelConfig d = ModelConfig.DEFAULTS;
        JsonNode batching = explicit.path("batching");
        JsonNode runtime = explicit.path("runtime");
        return new ModelConfig(
                text("defaultVersion", d.defaultVersion()),
                explicit.has("shared") ? explicit.get("shared").asBoolean() : d.shared(),
                device(d.device()),
                explicit.has("memoryMb") ? Long.valueOf(explicit.get("memoryMb").asLong()) : d.memoryMb(),
                (int) number(explicit, "minInstances", d.minInstances()),
                (int) number(explicit, "maxInstances", d.maxInstances()),
                (int) number(explicit, "concurrencyPerInstance", d.concurrencyPerInstance()),
                explicit.has("idleTimeoutSeconds") ? Long.valueOf(explicit.get("idleTimeoutSeconds").asLong())
                        : d.idleTimeoutSeconds(),
                (int) number(explicit, "maxQueue", d.maxQueue()),
                number(explicit, "requestTimeoutMs", d.requestTimeoutMs()),
                new ModelConfig.Batching((int) number(batching, "maxBatchSize", d.batching().maxBatchSize()),
                        number(batching, "maxDelayMicros", d.batching().maxDelayMicros())),
                new ModelConfig.Runtime((int) number(runtime, "intraOpThreads", d.runtime().intraOpThreads()),
                        (int) number(runtime, "interOpThreads", d.runtime().interOpThreads())));
    }

    private DevicePreference device(DevicePreference fallback) {
        if (!explicit.has("device")) {
            return fallback;
        }
        try {
            return DevicePreference.parse("device", explicit.get("device").asText());
        } catch (IllegalArgumentException unknown) {
            throw new BadRequest(unknown.getMessage());
        }
    }

    private String text(String field, String fallback) {
        return explicit.has(field) ? explicit.get(field).asText() : fallback;
    }

    private static long number(JsonNode node, String field, long fallback) {
        return node.has(field) ? node.get(field).asLong() : fallback;
    }
}
