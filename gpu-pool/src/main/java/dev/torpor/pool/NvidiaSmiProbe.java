package dev.torpor.pool;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Discovers NVIDIA GPUs with {@code nvidia-smi --query-gpu=index,name,memory.total,memory.used
 * --format=csv,noheader,nounits}. Each GPU's budget is its total memory less what was in use when Torpor
 * started (other processes' memory is not Torpor's to promise). No binary, a failing binary, a timeout or
 * unparsable output all mean "CPU only", said once in the log with the reason.
 */
public final class NvidiaSmiProbe implements DeviceProbe {
    private static final Logger LOG = Logger.getLogger(NvidiaSmiProbe.class.getName());
    static final List<String> COMMAND = List.of("nvidia-smi", "--query-gpu=index,name,memory.total,memory.used",
            "--format=csv,noheader,nounits");

    private final List<String> command;
    private final Duration timeout;

    public NvidiaSmiProbe() {
        this(COMMAND, Duration.ofSeconds(10));
    }

    /** A probe that runs {@code command} instead (tests point it at a script or a missing binary). */
    public NvidiaSmiProbe(List<String> command, Duration timeout) {
        this.command = List.copyOf(command);
        this.timeout = timeout;
    }

    @Override
    public List<Device> gpus() {
        String output;
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] bytes;
            try (InputStream stdout = process.getInputStream()) {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    return cpuOnly(command.get(0) + " did not answer within " + timeout.toMillis() + " ms");
                }
                bytes = stdout.readAllBytes();
            }
            output = new String(bytes, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                return cpuOnly(command.get(0) + " exited with " + process.exitValue() + ": " + firstLine(output));
            }
        } catch (IOException missing) {
            return cpuOnly(command.get(0) + " cannot be run (" + missing.getMessage() + ")");
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return cpuOnly("interrupted while running " + command.get(0));
        }
        try {
            List<Device> gpus = parse(output);
            if (gpus.isEmpty()) {
                return cpuOnly(command.get(0) + " reported no GPU");
            }
            gpus.forEach(gpu -> LOG.info("GPU " + gpu.id() + " (" + gpu.name() + "): " + gpu.memoryMbTotal()
                    + " MiB for instances"));
            return gpus;
        } catch (IllegalArgumentException unreadable) {
            return cpuOnly("cannot read " + command.get(0) + "'s output: " + unreadable.getMessage());
        }
    }

    private static List<Device> cpuOnly(String why) {
        LOG.info("no GPU: the pool is CPU only (" + why + ")");
        return List.of();
    }

    private static String firstLine(String text) {
        String trimmed = text.strip();
        int end = trimmed.indexOf('\n');
        return end < 0 ? trimmed : trimmed.substring(0, end);
    }

    /**
     * Parses {@code index, name, memory.total, memory.used} lines (MiB, no header, no units; a header line and
     * " MiB" suffixes are tolerated).
     *
     * @throws IllegalArgumentException naming the line that cannot be read
     */
    public static List<Device> parse(String csv) {
        List<Device> gpus = new ArrayList<>();
        for (String raw : csv.split("\\R")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("index")) {
                continue;
            }
            int first = line.indexOf(',');
            int last = line.lastIndexOf(',');
            int middle = first < 0 ? -1 : line.lastIndexOf(',', last - 1);
            if (first < 0 || middle <= first) {
                throw new IllegalArgumentException("expected 'index, name, memory.total, memory.used': '" + line + "'");
            }
            try {
                int index = Integer.parseInt(line.substring(0, first).strip());
                String name = line.substring(first + 1, middle).strip();
                long total = mebibytes(line.substring(middle + 1, last));
                long used = mebibytes(line.substring(last + 1));
                gpus.add(Device.gpu(index, name, Math.max(0, total - used)));
            } catch (NumberFormatException notANumber) {
                throw new IllegalArgumentException("not a number in '" + line + "'");
            }
        }
        return gpus;
    }

    private static long mebibytes(String field) {
        String value = field.strip();
        if (value.endsWith("MiB")) {
            value = value.substring(0, value.length() - 3).strip();
        }
        return Long.parseLong(value);
    }
}
