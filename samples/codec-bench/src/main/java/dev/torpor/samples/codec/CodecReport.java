package dev.torpor.samples.codec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns JMH's CSV results ({@code -rf csv}) of {@link JsonCodecBenchmark} and {@link BinaryCodecBenchmark} into
 * markdown tables of payload throughput: MiB/s = ops/s × tensor bytes ÷ 2^20, and the ratios against the
 * baselines measured in the same run.
 *
 * <p>Usage: {@code java -cp torpor-codec-bench.jar dev.torpor.samples.codec.CodecReport results.csv}
 */
public final class CodecReport {
    /** One JMH result row: benchmark method (class.method), tensor bytes, ops/s. */
    record Row(String benchmark, int tensorBytes, double opsPerSecond) {
        double mibPerSecond() {
            return opsPerSecond * tensorBytes / (1024.0 * 1024.0);
        }
    }

    private final Map<String, Map<Integer, Row>> byBenchmark = new TreeMap<>();

    CodecReport(List<Row> rows) {
        for (Row row : rows) {
            byBenchmark.computeIfAbsent(row.benchmark(), name -> new TreeMap<>()).put(row.tensorBytes(), row);
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: CodecReport <jmh results.csv>");
            System.exit(2);
        }
        System.out.print(new CodecReport(parse(Files.readAllLines(Path.of(args[0])))).markdown());
    }

    /** Reads JMH's CSV: a header, then quoted text and bare numbers; only throughput rows in ops/s are kept. */
    static List<Row> parse(List<String> lines) {
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("empty JMH CSV");
        }
        List<String> header = fields(lines.get(0));
        int benchmark = column(header, "Benchmark");
        int score = column(header, "Score");
        int unit = column(header, "Unit");
        int bytes = column(header, "Param: tensorBytes");
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            List<String> cells = fields(line);
            if (!cells.get(unit).equals("ops/s")) {
                throw new IllegalArgumentException("expected throughput in ops/s, got " + cells.get(unit) + ": " + line);
            }
            String name = cells.get(benchmark);
            rows.add(new Row(name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1),
                    Integer.parseInt(cells.get(bytes)), Double.parseDouble(cells.get(score))));
        }
        return rows;
    }

    private static int column(List<String> header, String name) {
        int index = header.indexOf(name);
        if (index < 0) {
            throw new IllegalArgumentException("no column '" + name + "' in the JMH CSV header " + header);
        }
        return index;
    }

    /** Splits one CSV line; JMH quotes text cells and never puts a quote or a comma inside one. */
    private static List<String> fields(String line) {
        List<String> cells = new ArrayList<>();
        for (String cell : line.split(",", -1)) {
            cells.add(cell.strip().replace("\"", ""));
        }
        return cells;
    }

    String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("Payload throughput in MiB/s of FP32 tensor data (ops/s × tensor bytes); ratios within one run.\n\n");
        out.append("**KServe V2 JSON** (`data` as JSON numbers; the body is ~2.8× the payload)\n\n");
        out.append("| tensor | decode: Torpor | decode: Jackson tree | Torpor ÷ tree | encode: Torpor | encode: Jackson tree | Torpor ÷ tree |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (int bytes : sizes()) {
            out.append("| ").append(size(bytes))
                    .append(cells("JsonCodecBenchmark.decodeTorpor", "JsonCodecBenchmark.decodeJacksonTree", bytes))
                    .append(cells("JsonCodecBenchmark.encodeTorpor", "JsonCodecBenchmark.encodeJacksonTree", bytes))
                    .append(" |\n");
        }
        out.append("\n**Binary tensor data extension** (JSON header + raw little-endian floats)\n\n");
        out.append("| tensor | decode: Torpor | decode: raw copy | Torpor ÷ raw | encode: Torpor | encode: raw copy | Torpor ÷ raw | decode binary ÷ JSON | encode binary ÷ JSON |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (int bytes : sizes()) {
            out.append("| ").append(size(bytes))
                    .append(cells("BinaryCodecBenchmark.decodeTorpor", "BinaryCodecBenchmark.decodeRawCopy", bytes))
                    .append(cells("BinaryCodecBenchmark.encodeTorpor", "BinaryCodecBenchmark.encodeRawCopy", bytes))
                    .append(" | ").append(ratio("BinaryCodecBenchmark.decodeTorpor", "JsonCodecBenchmark.decodeTorpor", bytes))
                    .append(" | ").append(ratio("BinaryCodecBenchmark.encodeTorpor", "JsonCodecBenchmark.encodeTorpor", bytes))
                    .append(" |\n");
        }
        return out.toString();
    }

    private TreeSet<Integer> sizes() {
        TreeSet<Integer> sizes = new TreeSet<>();
        byBenchmark.values().forEach(rows -> sizes.addAll(rows.keySet()));
        return sizes;
    }

    private String cells(String torpor, String baseline, int bytes) {
        return " | " + mib(torpor, bytes) + " | " + mib(baseline, bytes) + " | " + ratio(torpor, baseline, bytes);
    }

    private Row row(String benchmark, int bytes) {
        return byBenchmark.getOrDefault(benchmark, Map.of()).get(bytes);
    }

    private String mib(String benchmark, int bytes) {
        Row row = row(benchmark, bytes);
        if (row == null) {
            return "–";
        }
        double mib = row.mibPerSecond();
        return String.format(Locale.ROOT, mib < 100 ? "%.1f" : "%.0f", mib);
    }

    private String ratio(String numerator, String denominator, int bytes) {
        Row top = row(numerator, bytes);
        Row bottom = row(denominator, bytes);
        if (top == null || bottom == null) {
            return "–";
        }
        double ratio = top.opsPerSecond() / bottom.opsPerSecond();
        return String.format(Locale.ROOT, ratio < 10 ? "%.2f×" : "%.0f×", ratio);
    }

    static String size(int bytes) {
        if (bytes >= 1 << 20) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1 << 10) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " B";
    }
}
