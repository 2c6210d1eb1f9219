package dev.torpor.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The JSON form of a signature's tensors, {@code [{"name", "datatype", "shape"}]}, shared by {@code model.json}
 * and {@code manifest.json}. Reading throws {@link IllegalArgumentException} with a message that names the
 * offending field (as {@code inputs[0].shape}); each caller turns it into its own kind of error.
 */
final class SignatureJson {
    private static final Set<String> TENSOR_FIELDS = Set.of("name", "datatype", "shape");

    private SignatureJson() {
    }

    static ArrayNode write(List<TensorSpec> tensors) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        for (TensorSpec spec : tensors) {
            ObjectNode node = array.addObject();
            node.put("name", spec.name());
            node.put("datatype", spec.datatype().name());
            ArrayNode shape = node.putArray("shape");
            for (long dim : spec.shape()) {
                shape.add(dim);
            }
        }
        return array;
    }

    /**
     * @param field          how the array is named in messages ({@code inputs})
     * @param rejectUnknown  whether a field other than name, datatype and shape is an error (for what a
     *                       publisher wrote) or ignored (for what a later version of the store may add)
     */
    static List<TensorSpec> read(JsonNode array, String field, boolean rejectUnknown) {
        if (array == null || !array.isArray()) {
            throw new IllegalArgumentException("'" + field + "' must be an array");
        }
        List<TensorSpec> tensors = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            tensors.add(readTensor(array.get(i), field + "[" + i + "]", rejectUnknown));
        }
        return tensors;
    }

    private static TensorSpec readTensor(JsonNode node, String at, boolean rejectUnknown) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("'" + at + "' must be an object");
        }
        if (rejectUnknown) {
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!TENSOR_FIELDS.contains(name)) {
                    throw new IllegalArgumentException("unknown field '" + at + "." + name + "'");
                }
            }
        }
        JsonNode name = node.get("name");
        if (name == null || !name.isTextual() || name.asText().isEmpty()) {
            throw new IllegalArgumentException("'" + at + ".name' must be a non-empty string");
        }
        JsonNode datatypeNode = node.get("datatype");
        if (datatypeNode == null || !datatypeNode.isTextual()) {
            throw new IllegalArgumentException("'" + at + ".datatype' must be a string such as \"FP32\"");
        }
        DataType datatype = DataType.fromProtocolName(datatypeNode.asText());
        if (datatype == null) {
            throw new IllegalArgumentException("'" + at + ".datatype' has the unknown datatype '"
                    + datatypeNode.asText() + "'");
        }
        return new TensorSpec(name.asText(), datatype, readShape(node.get("shape"), at + ".shape"));
    }

    private static long[] readShape(JsonNode shape, String at) {
        if (shape == null || !shape.isArray()) {
            throw new IllegalArgumentException("'" + at + "' must be an array of integers");
        }
        long[] dims = new long[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            JsonNode dim = shape.get(i);
            if (!dim.isIntegralNumber() || !dim.canConvertToLong() || dim.asLong() < -1) {
                throw new IllegalArgumentException("'" + at + "[" + i + "]' must be an integer >= -1 (-1 = dynamic)");
            }
            dims[i] = dim.asLong();
        }
        return dims;
    }
}
