package dev.torpor.pool.process;

import dev.torpor.function.host.FunctionHost;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The command line and environment of a function JVM: the router's java binary, the class-data archive once
 * it is built, ONNX Runtime's pre-extracted natives, DJL offline with the router's cache, a heap limit and a
 * private temp dir, then {@link FunctionHost}. Builds the archive too ({@link #train()}), since the archive is
 * made by running that same command line.
 *
 * <p>Thread-safe: the part before the heap option is replaced, once, when the archive has been built.
 */
final class FunctionCommand {
    private static final System.Logger LOG = System.getLogger(FunctionCommand.class.getName());

    private final ProcessSettings settings;
    private final ProcessDataDir dirs;
    private final String classPath;
    private final Optional<Path> natives;
    private final ClassDataArchive archive;
    /** The JVM's command line after the java binary, up to the class path; gains the archive once it is built. */
    private volatile List<String> options;

    /**
     * @param classPath the class path as the processes can read it
     * @param natives   the directory of ONNX Runtime's extracted natives, if there is one
     */
    FunctionCommand(ProcessSettings settings, ProcessDataDir dirs, String classPath, Optional<Path> natives) {
        this.settings = settings;
        this.dirs = dirs;
        this.classPath = classPath;
        this.natives = natives;
        this.archive = new ClassDataArchive(dirs.classDataArchives(), settings.javaCommand(), classPath);
        this.options = options();
    }

    private List<String> options() {
        List<String> options = new ArrayList<>(archive.options().orElse(List.of()));
        options.add("-XX:+UseSerialGC");
        options.add("-XX:-UsePerfData");
        options.add("-Xss512k");
        options.add("-Djava.util.logging.SimpleFormatter.format=%1$tT.%1$tL %4$s %5$s%6$s%n");
        natives.ifPresent(dir -> options.add("-Donnxruntime.native.path=" + dir));
        // DJL models: offline, and PyTorch's natives from the router's cache (unpacked once per data dir).
        Path djlCache = dirs.djlCache();
        options.add("-DDJL_CACHE_DIR=" + djlCache);
        options.add("-DENGINE_CACHE_DIR=" + djlCache);
        options.add("-Dai.djl.offline=true");
        options.addAll(settings.extraJvmOptions());
        return options;
    }

    /**
     * A function JVM's command line: {@code prefix} (cgroup, uid), then java with a {@code heapMb} heap and
     * temp dir {@code tmp}, then {@link FunctionHost} with {@code hostOptions} ({@link FunctionHost#WARM_UP} for a
     * pooled process, {@link FunctionHost#optionsFor} for an instance's).
     */
    List<String> process(List<String> prefix, long heapMb, Path tmp, List<String> hostOptions) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(jvm(heapMb, tmp));
        command.addAll(hostOptions);
        return command;
    }

    private List<String> jvm(long heapMb, Path tmp) {
        List<String> command = new ArrayList<>();
        command.add(settings.javaCommand());
        command.add("-Djava.io.tmpdir=" + tmp);
        command.add("-Xmx" + heapMb + "m");
        command.addAll(options);
        command.addAll(List.of("-cp", classPath, FunctionHost.class.getName()));
        return command;
    }

    /** Only what a JVM needs: no keys, no database URL, nothing of the router's own environment. */
    static Map<String, String> environment(Path tmp) {
        return Map.of("PATH", "/usr/bin:/bin", "LANG", "C.UTF-8", "TMPDIR", tmp.toString());
    }

    /** Whether {@link #train()} has something to do: the class path allows an archive and there is none yet. */
    boolean needsTraining() {
        return archive.needsTraining();
    }

    /**
     * Builds the class-data archive with a training run of a pooled process's JVM (blocking); processes started
     * afterwards use it. Processes that cannot map it run without it.
     */
    void train() {
        Path tmp = dirs.trainingTmp();
        if (archive.train(jvm(settings.poolHeapMb(), tmp), environment(tmp), new ProcessLog("cds-training"))) {
            try {
                PosixTrees.readableByAll(dirs.classDataArchives());
            } catch (IOException unreadable) {
                LOG.log(System.Logger.Level.DEBUG, "the class-data archive is not readable to other uids: {0}",
                        unreadable.getMessage());
            }
            options = options();
        }
    }
}
