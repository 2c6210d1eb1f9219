package dev.torpor.pool.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * An AppCDS archive for function processes (JDK 13+ dynamic archive): the classes a function JVM loads to
 * start, initialize ONNX Runtime and run a load (what {@code FunctionHost --train-cds} does: the
 * {@link dev.torpor.function.host.WarmUp}), mapped from {@code <data>/cds/} instead of parsed and verified from
 * the jar on every start.
 *
 * <p>Built once per data dir, java binary and version, and class path (the file name is their digest), by a
 * training run in the background at the first start of a launcher that has none; processes started after
 * that use it. The JVM runs with {@code -Xshare:auto}, so an archive it cannot map (a JDK update in place, a
 * damaged file) is ignored and the process starts without it. Dynamic archives need a class path of jar
 * files only: with a directory on it (tests, {@code mvn exec}) no archive is built.
 *
 * <p>Thread-safe.
 */
final class ClassDataArchive {
    private static final System.Logger LOG = System.getLogger(ClassDataArchive.class.getName());
    /** Given to {@code FunctionHost}: run the warm-up without a router and exit normally (the archive is dumped at exit). */
    static final String TRAIN = dev.torpor.function.host.FunctionHost.TRAIN_CDS;

    private final Path file;
    private final boolean eligible;
    private final String ineligibleWhy;

    ClassDataArchive(Path dir, String javaCommand, String classPath) {
        String key = javaCommand + "|" + System.getProperty("java.vm.version") + "|" + classPath;
        this.file = dir.resolve("function-" + digest(key) + ".jsa");
        String why = null;
        if (classPath == null || classPath.isBlank()) {
            why = "the class path is empty";
        } else {
            for (String entry : classPath.split(java.io.File.pathSeparator)) {
                if (!entry.endsWith(".jar")) {
                    why = "the class path has a non-jar entry (" + entry + ")";
                    break;
                }
            }
        }
        this.ineligibleWhy = why;
        this.eligible = why == null && Runtime.version().feature() >= 13;
    }

    Path file() {
        return file;
    }

    /** The JVM options that use the archive, when it exists. */
    Optional<List<String>> options() {
        if (!eligible || !Files.isRegularFile(file)) {
            return Optional.empty();
        }
        return Optional.of(List.of("-XX:SharedArchiveFile=" + file, "-Xshare:auto"));
    }

    /** Whether a training run should be started: eligible and no archive yet. */
    boolean needsTraining() {
        if (!eligible) {
            LOG.log(System.Logger.Level.DEBUG, "no class-data archive for function processes: {0}",
                    ineligibleWhy == null ? "this JDK has no dynamic archives" : ineligibleWhy);
            return false;
        }
        return !Files.isRegularFile(file);
    }

    /**
     * Runs {@code command} (a function JVM's command line up to and including the main class) with
     * {@code -XX:ArchiveClassesAtExit} and the training option, then moves the archive into place. Blocks.
     *
     * @return whether an archive is in place afterwards
     */
    boolean train(List<String> command, Map<String, String> environment, ProcessLog log) {
        Path temporary = file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(temporary);
            List<String> full = new ArrayList<>(command);
            full.add(1, "-XX:ArchiveClassesAtExit=" + temporary);
            full.add(TRAIN);
            ProcessBuilder builder = new ProcessBuilder(full).redirectErrorStream(true);
            builder.environment().clear();
            builder.environment().putAll(environment);
            long begin = System.nanoTime();
            Process process = builder.start();
            process.getOutputStream().close();
            try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    log.add(line);
                }
            }
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                LOG.log(System.Logger.Level.WARNING, "class-data archive training did not finish in 120 s");
                return false;
            }
            if (process.exitValue() != 0 || !Files.isRegularFile(temporary) || Files.size(temporary) == 0) {
                LOG.log(System.Logger.Level.WARNING, "class-data archive training failed (status {0}): {1}",
                        process.exitValue(), String.join(" | ", log.lines()));
                return false;
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            LOG.log(System.Logger.Level.INFO, "class-data archive for function processes built in {0} ms: {1} ({2} KiB)",
                    (System.nanoTime() - begin) / 1_000_000, file, Files.size(file) / 1024);
            return true;
        } catch (IOException failed) {
            LOG.log(System.Logger.Level.WARNING, "class-data archive training failed: {0}", failed.getMessage());
            return false;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // a leftover temporary file costs disk space only
            }
        }
    }

    private static String digest(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
