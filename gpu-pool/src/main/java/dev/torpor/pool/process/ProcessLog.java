package dev.torpor.pool.process;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The captured standard output and error of one function process: the last lines in memory, each also
 * written to the router's log with the instance id. Thread-safe.
 */
public final class ProcessLog {
    private static final System.Logger LOG = System.getLogger("dev.torpor.function.process");
    private static final int MAX_LINES = 1000;

    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private volatile String owner;

    ProcessLog(String owner) {
        this.owner = owner;
    }

    /** The instance the process serves from now on (a pooled process is model-less until taken). */
    void assign(String instanceId) {
        this.owner = instanceId;
    }

    String owner() {
        return owner;
    }

    void add(String line) {
        LOG.log(System.Logger.Level.INFO, "[{0}] {1}", owner, line);
        append(line);
    }

    /** A line from the router about the process (its death, a kill), kept with the process's own lines. */
    void note(String line) {
        LOG.log(System.Logger.Level.INFO, "[{0}] [torpor] {1}", owner, line);
        append("[torpor] " + line);
    }

    /** A line of an earlier process of the same instance, kept so the instance's history reads in one place. */
    void carry(String line) {
        append(line);
    }

    private synchronized void append(String line) {
        if (lines.size() == MAX_LINES) {
            lines.removeFirst();
        }
        lines.addLast(line);
    }

    /** The captured lines, oldest first. */
    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }
}
