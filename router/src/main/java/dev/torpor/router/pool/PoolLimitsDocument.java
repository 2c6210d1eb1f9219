package dev.torpor.router.pool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.torpor.error.BadRequest;
import dev.torpor.pool.PoolLimits;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The pool limits operators have set, as stored: a JSON object with only the fields they set. Unlike a model
 * config, an explicit {@code null} is kept: it means "no limit beyond the device" (for
 * {@code defaultIdleTimeoutSeconds}, "the environment's default"), while an absent field takes the default.
 * {@link #merge} applies a PUT; {@link #resolve} overlays the defaults and validates.
 */
public final class PoolLimitsDocument {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TOP = Set.of("maxInstances", "maxInstancesPerModel", "maxQueuedTotal",
            "defaultIdleTimeoutSeconds");
    private static final Map<String, Set<String>> NESTED = Map.of(
            "cpu", Set.of("maxInstances", "memoryMb"),
            "gpu", Set.of("maxInstancesPerDevice", "memoryMbPerDevice"));
    private static final long MAX_VALUE = Integer.MAX_VALUE;

    private final ObjectNode explicit;

    private PoolLimitsDocument(ObjectNode explicit) {
        this.explicit = explicit;
    }

    public static PoolLimitsDocument empty() {
        return new PoolLimitsDocument(JSON.createObjectNode());
    }

    /** Reads a stored document (trusted: it was validated when written). */
    public static PoolLimitsDocument fromStored(String json) {
        try {
            return new PoolLimitsDocument((ObjectNode) JSON.readTree(json));
        } catch (Exception corrupt) {
            throw new IllegalStateException("stored pool limits are not a JSON object: " + corrupt.getMessage(), corrupt);
        }
    }

    public String toStored() {
        return explicit.toString();
    }

    /**
     * Applies a patch: given fields replace the stored ones ({@code cpu} and {@code gpu} field by field).
     *
     * @throws BadRequest naming the field for an unknown field, a wrong type or a number that is not a whole
     *                    number from 0 to 2³¹−1
     */
    public PoolLimitsDocument merge(JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            throw new BadRequest("pool limits must be a JSON object");
        }
        ObjectNode merged = explicit.deepCopy();
        for (Iterator<Map.Entry<String, JsonNode>> fields = patch.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            if (NESTED.containsKey(name)) {
                if (!field.getValue().isObject()) {
                    throw new BadRequest("pool limit '" + name + "' must be an object");
                }
                ObjectNode nested = merged.get(name) instanceof ObjectNode object ? object : merged.putObject(name);
                for (Iterator<Map.Entry<String, JsonNode>> inner = field.getValue().fields(); inner.hasNext(); ) {
                    Map.Entry<String, JsonNode> entry = inner.next();
                    String qualified = name + "." + entry.getKey();
                    if (!NESTED.get(name).contains(entry.getKey())) {
                        throw new BadRequest("unknown pool limit '" + qualified + "'");
                    }
                    nested.set(entry.getKey(), checked(qualified, entry.getValue()));
                }
            } else if (TOP.contains(name)) {
                merged.set(name, checked(name, field.getValue()));
            } else {
                throw new BadRequest("unknown pool limit '" + name + "'");
            }
        }
        return new PoolLimitsDocument(merged);
    }

    private static JsonNode checked(String name, JsonNode value) {
        if (value.isNull()) {
            return value;
        }
        if (!value.isNumber() || !value.canConvertToExactIntegral() || !value.canConvertToLong()
                || value.asLong() < 0 || value.asLong() > MAX_VALUE) {
            throw new BadRequest("pool limit '" + name + "' must be null or a whole number from 0 to " + MAX_VALUE);
        }
        return value;
    }

    /**
     * Overlays the defaults and validates the whole.
     *
     * @throws BadRequest naming the field when a limit is out of range
     */
    public PoolLimits resolve(PoolLimits defaults) {
        try {
            return new PoolLimits(
                    integer(explicit, "maxInstances", defaults.maxInstances()),
                    integer(explicit, "maxInstancesPerModel", defaults.maxInstancesPerModel()),
                    integer(explicit.path("cpu"), "maxInstances", defaults.cpuMaxInstances()),
                    longValue(explicit.path("cpu"), "memoryMb", defaults.cpuMemoryMb()),
                    integer(explicit.path("gpu"), "maxInstancesPerDevice", defaults.gpuMaxInstancesPerDevice()),
                    longValue(explicit.path("gpu"), "memoryMbPerDevice", defaults.gpuMemoryMbPerDevice()),
                    integer(explicit, "maxQueuedTotal", defaults.maxQueuedTotal()),
                    explicit.path("defaultIdleTimeoutSeconds").isNumber()
                            ? Long.valueOf(explicit.get("defaultIdleTimeoutSeconds").asLong())
                            : defaults.defaultIdleTimeoutSeconds());
        } catch (PoolLimits.InvalidLimit invalid) {
            throw new BadRequest("pool limit '" + invalid.field() + "': " + invalid.getMessage());
        }
    }

    private static Integer integer(JsonNode node, String field, Integer fallback) {
        if (!node.has(field)) {
            return fallback;
        }
        return node.get(field).isNull() ? null : node.get(field).asInt();
    }

    private static Long longValue(JsonNode node, String field, Long fallback) {
        if (!node.has(field)) {
            return fallback;
        }
        return node.get(field).isNull() ? null : node.get(field).asLong();
    }

    /** The effective limits as API.md shows them. */
    public static Map<String, Object> view(PoolLimits limits) {
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("maxInstances", limits.cpuMaxInstances());
        cpu.put("memoryMb", limits.cpuMemoryMb());
        Map<String, Object> gpu = new LinkedHashMap<>();
        gpu.put("maxInstancesPerDevice", limits.gpuMaxInstancesPerDevice());
        gpu.put("memoryMbPerDevice", limits.gpuMemoryMbPerDevice());
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("maxInstances", limits.maxInstances());
        view.put("maxInstancesPerModel", limits.maxInstancesPerModel());
        view.put("cpu", cpu);
        view.put("gpu", gpu);
        view.put("maxQueuedTotal", limits.maxQueuedTotal());
        view.put("defaultIdleTimeoutSeconds", limits.defaultIdleTimeoutSeconds());
        return view;
    }
}
