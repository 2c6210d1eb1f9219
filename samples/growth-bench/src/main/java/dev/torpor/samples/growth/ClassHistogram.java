package dev.torpor.samples.growth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The live objects of a JVM by class, from {@code jcmd <pid> GC.class_histogram}, which runs a full GC first:
 * its total is the heap in use after GC, measured the same way whatever the collector, without JMX.
 *
 * @param totalBytes   bytes of all live objects
 * @param bytesByClass bytes of the live objects of each class
 */
record ClassHistogram(long totalBytes, Map<String, Long> bytesByClass) {
    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
    private static final Pattern TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)");

    /** Runs jcmd (of the bench's own JDK when it has one) against {@code pid}. */
    static ClassHistogram of(long pid) throws IOException, InterruptedException {
        Path jdkJcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        String jcmd = jdkJcmd.toFile().canExecute() ? jdkJcmd.toString() : "jcmd";
        Process process = new ProcessBuilder(jcmd, Long.toString(pid), "GC.class_histogram")
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + pid + " GC.class_histogram failed:\n" + output);
        }
        return parse(output.lines().toList());
    }

    static ClassHistogram parse(List<String> lines) {
        Map<String, Long> byClass = new HashMap<>();
        long total = -1;
        for (String line : lines) {
            Matcher row = ROW.matcher(line);
            if (row.find()) {
                byClass.merge(row.group(3), Long.parseLong(row.group(2)), Long::sum);
                continue;
            }
            Matcher sum = TOTAL.matcher(line);
            if (sum.find()) {
                total = Long.parseLong(sum.group(2));
            }
        }
        if (total < 0) {
            throw new IllegalStateException("no 'Total' line in the class histogram:\n" + String.join("\n", lines));
        }
        return new ClassHistogram(total, byClass);
    }

    /** The classes whose live bytes grew most from {@code before} to this one, largest growth first. */
    List<Map.Entry<String, Long>> largestGrowthSince(ClassHistogram before, int limit) {
        Map<String, Long> growth = new HashMap<>();
        bytesByClass.forEach((name, bytes) -> growth.put(name, bytes - before.bytesByClass.getOrDefault(name, 0L)));
        return growth.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                .limit(limit)
                .toList();
    }
}
