package dev.torpor.router.billing;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;

/**
 * Billing records as CSV (RFC 4180): a header row of {@link BillingColumns#names()}, one row per record, CRLF line
 * ends; a field is quoted when it holds a comma, a double quote, CR or LF, with inner quotes doubled. A null value is
 * an empty field. Stateless and thread-safe.
 */
public final class BillingCsv {
    private static final String CRLF = "\r\n";

    private BillingCsv() {
    }

    /** The header row, with its line end. */
    public static void writeHeader(Appendable out) throws IOException {
        List<String> names = BillingColumns.names();
        for (int i = 0; i < names.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(quote(names.get(i)));
        }
        out.append(CRLF);
    }

    /** One record's row, with its line end. */
    public static void writeRow(Appendable out, BillingRecord record) throws IOException {
        boolean first = true;
        for (BillingColumns.Column column : BillingColumns.ALL) {
            if (!first) {
                out.append(',');
            }
            first = false;
            out.append(quote(text(column.value().apply(record))));
        }
        out.append(CRLF);
    }

    /** A whole document: header then rows. */
    public static void write(Appendable out, List<BillingRecord> records) throws IOException {
        writeHeader(out);
        for (BillingRecord r : records) {
            writeRow(out, r);
        }
    }

    /** A whole document as a string. */
    public static String toCsv(List<BillingRecord> records) {
        StringBuilder sb = new StringBuilder();
        try {
            write(sb, records);
        } catch (IOException e) {
            throw new AssertionError("StringBuilder does not throw", e);
        }
        return sb.toString();
    }

    private static String text(Object value) {
        if (value == null) {
            return "";
        }
        return value instanceof BigDecimal d ? d.toPlainString() : value.toString();
    }

    static String quote(String field) {
        boolean needsQuotes = field.indexOf(',') >= 0 || field.indexOf('"') >= 0
                || field.indexOf('\r') >= 0 || field.indexOf('\n') >= 0;
        return needsQuotes ? '"' + field.replace("\"", "\"\"") + '"' : field;
    }
}
