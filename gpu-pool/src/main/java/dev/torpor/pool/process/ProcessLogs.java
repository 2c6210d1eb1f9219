package dev.torpor.pool.process;

import dev.torpor.pool.InstanceLogs;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link ProcessLog}s of the last {@value #KEPT} instances that were given a process, by instance id.
 * When an instance gets a replacement process (after a crash), the new log starts with the old one's lines,
 * so the instance's history reads in one place. Thread-safe.
 */
final class ProcessLogs implements InstanceLogs {
    static final int KEPT = 256;

    private final Map<String, ProcessLog> byInstance = Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ProcessLog> eldest) {
            return size() > KEPT;
        }
    });

    /** Records that {@code log}'s process now serves {@code instanceId}. */
    void assign(String instanceId, ProcessLog log) {
        log.assign(instanceId);
        ProcessLog previous = byInstance.get(instanceId);
        if (previous != null && previous != log) {
            // A replacement process: keep the instance's earlier lines (the crash) before the new ones.
            previous.lines().forEach(log::carry);
        }
        byInstance.put(instanceId, log);
    }

    @Override
    public Optional<List<String>> lines(String instanceId) {
        return Optional.ofNullable(byInstance.get(instanceId)).map(ProcessLog::lines);
    }
}
