package dev.torpor.router.http;

import dev.torpor.error.ModelNotFound;
import dev.torpor.pool.InstanceLogs;
import dev.torpor.pool.Launcher;
import dev.torpor.router.auth.Access;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.util.List;
import java.util.Map;

/**
 * The captured output of a function process, by instance id ({@code GET /admin/instances/{id}/logs}): the
 * last 1000 lines of the instance's process (and of the process it replaced after a crash), with the
 * router's own notes about it (taken from the pool, ready with its timings, killed and why). The same
 * lines go to the router's log, prefixed with the instance id. Only launchers that run instances outside
 * the router's JVM capture logs ({@link Launcher#instanceLogs()}).
 */
@Controller("/admin/instances")
public class InstanceLogsController {
    private final Launcher launcher;

    InstanceLogsController(Launcher launcher) {
        this.launcher = launcher;
    }

    @Get("/{id}/logs")
    Map<String, Object> logs(HttpRequest<?> request, String id) {
        Access.requireOperator(Callers.of(request));
        InstanceLogs captured = launcher.instanceLogs().orElseThrow(() -> new ModelNotFound(
                "instance logs are captured for function processes only (TORPOR_LAUNCHER=process)"));
        List<String> lines = captured.lines(id)
                .orElseThrow(() -> new ModelNotFound("no function process has served an instance '" + id + "'"));
        return Map.of("instance", id, "lines", lines);
    }
}
