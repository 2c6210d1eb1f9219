package dev.torpor.router.http;

import dev.torpor.router.db.Database;
import io.micronaut.core.annotation.NonBlocking;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Liveness and readiness, without a key. Ready means the model store and the database are usable. */
@Controller("/v2/health")
public class HealthController {
    private final Database database;
    private final Path modelsDir;

    HealthController(Database database, EdgeSettings settings) {
        this.database = database;
        this.modelsDir = settings.modelsDir();
    }

    /** On the event loop: liveness must not wait for (or be refused by) a busy blocking pool. */
    @Get("/live")
    @NonBlocking
    Map<String, Boolean> live() {
        return Map.of("live", true);
    }

    @Get("/ready")
    @ExecuteOn(TaskExecutors.BLOCKING)
    HttpResponse<Map<String, Boolean>> ready() {
        boolean ready = Files.isDirectory(modelsDir) && Files.isWritable(modelsDir) && database.isUsable();
        return HttpResponse.status(ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(Map.of("ready", ready));
    }
}
