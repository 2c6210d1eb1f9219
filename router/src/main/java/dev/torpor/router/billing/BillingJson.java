package dev.torpor.router.billing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.List;

/**
 * The one JSON writer for billing: a record's fields are written in {@link BillingColumns#ALL}'s order (API.md's),
 * with the derived values (ms, GB·s, seconds) as plain JSON numbers and {@code cost} as a decimal string. Written
 * with a streaming {@link JsonGenerator} rather than a data-bound object so that names, order and number forms are
 * fixed here and not by mapper settings. Stateless and thread-safe.
 */
public final class BillingJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private BillingJson() {
    }

    /** One record as a JSON object. */
    public static void writeRecord(JsonGenerator g, BillingRecord record) throws IOException {
        g.writeStartObject();
        for (BillingColumns.Column column : BillingColumns.ALL) {
            g.writeFieldName(column.name());
            writeValue(g, column.value().apply(record));
        }
        g.writeEndObject();
    }

    /** A page as {@code {"records": [...], "next": cursor-or-null}}. */
    public static void writePage(JsonGenerator g, BillingQuery.Page page) throws IOException {
        g.writeStartObject();
        g.writeArrayFieldStart("records");
        for (BillingRecord r : page.records()) {
            writeRecord(g, r);
        }
        g.writeEndArray();
        g.writeStringField("next", page.next()); // writes null for null
        g.writeEndObject();
    }

    /**
     * Summary rows as a JSON array of {@code {"key", "requests", "errors", "coldStarts", "computeMs", "billedMs",
     * "gbSeconds", "gpuSeconds", "cost", "currency"}}.
     */
    public static void writeSummary(JsonGenerator g, List<SummaryRow> rows) throws IOException {
        g.writeStartArray();
        for (SummaryRow row : rows) {
            g.writeStartObject();
            g.writeStringField("key", row.key());
            g.writeNumberField("requests", row.requests());
            g.writeNumberField("errors", row.errors());
            g.writeNumberField("coldStarts", row.coldStarts());
            g.writeFieldName("computeMs");
            writeDecimal(g, row.computeMs());
            g.writeNumberField("billedMs", row.billedMs());
            g.writeFieldName("gbSeconds");
            writeDecimal(g, row.gbSeconds());
            g.writeFieldName("gpuSeconds");
            writeDecimal(g, row.gpuSeconds());
            g.writeStringField("cost", row.cost());
            g.writeStringField("currency", row.currency());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** Convenience: one record as a JSON string. */
    public static String toJson(BillingRecord record) {
        return write(g -> writeRecord(g, record));
    }

    /** Convenience: a page as a JSON string. */
    public static String toJson(BillingQuery.Page page) {
        return write(g -> writePage(g, page));
    }

    /** Convenience: summary rows as a JSON string. */
    public static String summaryToJson(List<SummaryRow> rows) {
        return write(g -> writeSummary(g, rows));
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static String write(Body body) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void writeValue(JsonGenerator g, Object value) throws IOException {
        if (value == null) {
            g.writeNull();
        } else if (value instanceof String s) {
            g.writeString(s);
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (value instanceof Integer i) {
            g.writeNumber(i);
        } else if (value instanceof Long l) {
            g.writeNumber(l);
        } else if (value instanceof BigDecimal d) {
            writeDecimal(g, d);
        } else {
            throw new IllegalStateException("no JSON form for " + value.getClass());
        }
    }

    /** Plain digits, never an exponent ({@code 48}, not {@code 4.8E+1}), whatever the generator's settings. */
    private static void writeDecimal(JsonGenerator g, BigDecimal d) throws IOException {
        g.writeNumber(d.toPlainString());
    }
}
