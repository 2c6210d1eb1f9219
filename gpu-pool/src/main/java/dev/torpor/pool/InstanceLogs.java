package dev.torpor.pool;

import java.util.List;
import java.util.Optional;

/**
 * The output a launcher captured from the instances it runs outside the router (a function process's
 * standard output and error, with the router's notes about it), by instance id. Implementations are
 * thread-safe and keep a bounded number of lines per instance and of instances.
 */
public interface InstanceLogs {

    /** The captured lines of an instance, oldest first; empty when no instance of that id has run here (or it was forgotten). */
    Optional<List<String>> lines(String instanceId);
}
