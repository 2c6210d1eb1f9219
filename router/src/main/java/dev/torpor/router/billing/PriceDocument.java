package dev.torpor.router.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.torpor.error.BadRequest;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The JSON form of {@link Prices}, for {@code GET/PUT /admin/prices} and the {@code prices} table:
 * <pre>{"version": 3, "currency": "USD", "perRequest": "0.0000002", "perGbSecond": "0.000016667",
 *  "perGpuSecond": "0.0005", "granularityMs": 1, "billColdStart": false}</pre>
 * Prices are decimal strings (a JSON number is also accepted) with at most nine decimals, never negative.
 * A PUT merges field by field: an absent field keeps its value; {@code version} is assigned by the server (not
 * accepted in a PUT). Anything invalid is a 400 naming the field.
 */
public final class PriceDocument {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("currency", "perRequest", "perGbSecond", "perGpuSecond",
            "granularityMs", "billColdStart");
    private static final BigDecimal NANOS = BigDecimal.valueOf(1_000_000_000L);

    private PriceDocument() {
    }

    /** The client's (and the table's) view, fields in a fixed order. */
    public static Map<String, Object> view(Prices p) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("version", p.version());
        view.put("currency", p.currency());
        view.put("perRequest", Units.nanosToDecimal(p.perRequestNanos()));
        view.put("perGbSecond", Units.nanosToDecimal(p.perGbSecondNanos()));
        view.put("perGpuSecond", Units.nanosToDecimal(p.perGpuSecondNanos()));
        view.put("granularityMs", p.granularityMs());
        view.put("billColdStart", p.billColdStart());
        return view;
    }

    static String toStored(Prices p) {
        try {
            return JSON.writeValueAsString(view(p));
        } catch (java.io.IOException impossible) {
            throw new java.io.UncheckedIOException(impossible);
        }
    }

    static Prices fromStored(int version, String json) {
        try {
            ObjectNode node = (ObjectNode) JSON.readTree(json);
            node.remove("version");
            return merge(Prices.free(version), node, version);
        } catch (java.io.IOException corrupt) {
            throw new IllegalStateException("stored prices version " + version + " are not JSON", corrupt);
        }
    }

    /**
     * {@code base} with the fields of {@code patch} applied, as version {@code newVersion}.
     *
     * @throws BadRequest naming the field for an unknown field, a wrong type, a negative price, more than nine
     *     decimals, a bad currency or a granularity out of range
     */
    public static Prices merge(Prices base, JsonNode patch, int newVersion) {
        if (patch == null || !patch.isObject()) {
            throw new BadRequest("prices must be a JSON object");
        }
        String currency = base.currency();
        long perRequest = base.perRequestNanos();
        long perGbSecond = base.perGbSecondNanos();
        long perGpuSecond = base.perGpuSecondNanos();
        int granularity = base.granularityMs();
        boolean billColdStart = base.billColdStart();
        for (var it = patch.fields(); it.hasNext(); ) {
            var field = it.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (!FIELDS.contains(name)) {
                throw new BadRequest("unknown price field '" + name + "'");
            }
            switch (name) {
                case "currency" -> {
                    if (!value.isTextual() || !value.asText().matches("[A-Z]{3}")) {
                        throw new BadRequest("price field 'currency' must be three upper-case letters such as USD");
                    }
                    currency = value.asText();
                }
                case "perRequest" -> perRequest = nanos(name, value);
                case "perGbSecond" -> perGbSecond = nanos(name, value);
                case "perGpuSecond" -> perGpuSecond = nanos(name, value);
                case "granularityMs" -> {
                    if (!value.isIntegralNumber() || value.asLong() < 1 || value.asLong() > Prices.MAX_GRANULARITY_MS) {
                        throw new BadRequest("price field 'granularityMs' must be a whole number from 1 to "
                                + Prices.MAX_GRANULARITY_MS);
                    }
                    granularity = value.asInt();
                }
                case "billColdStart" -> {
                    if (!value.isBoolean()) {
                        throw new BadRequest("price field 'billColdStart' must be true or false");
                    }
                    billColdStart = value.asBoolean();
                }
                default -> throw new IllegalStateException(name);
            }
        }
        return new Prices(newVersion, currency, perRequest, perGbSecond, perGpuSecond, granularity, billColdStart);
    }

    /** A decimal price as nano-units. @throws BadRequest naming the field */
    public static long nanos(String field, JsonNode value) {
        BigDecimal amount;
        try {
            if (value.isTextual()) {
                amount = new BigDecimal(value.asText().trim());
            } else if (value.isNumber()) {
                amount = value.decimalValue();
            } else {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException notADecimal) {
            throw new BadRequest("price field '" + field + "' must be a decimal string such as \"0.0000002\"");
        }
        return nanos(field, amount);
    }

    /** A decimal price as nano-units. @throws BadRequest naming the field */
    public static long nanos(String field, BigDecimal amount) {
        if (amount.signum() < 0) {
            throw new BadRequest("price field '" + field + "' must not be negative");
        }
        BigDecimal scaled = amount.multiply(NANOS).stripTrailingZeros();
        if (scaled.scale() > 0) {
            throw new BadRequest("price field '" + field + "' has more than nine decimals (prices are kept in"
                    + " nano-units)");
        }
        try {
            return scaled.longValueExact();
        } catch (ArithmeticException tooLarge) {
            throw new BadRequest("price field '" + field + "' is too large");
        }
    }
}
