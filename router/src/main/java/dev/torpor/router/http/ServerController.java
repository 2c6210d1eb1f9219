package dev.torpor.router.http;

import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.util.List;
import java.util.Map;

/**
 * Server metadata. Lists only extensions that really work: {@code model_repository} (the repository
 * endpoints, including {@code POST /v2/repository/index}) and {@code binary_tensor_data} (Triton's binary
 * tensor data extension on infer requests and responses).
 */
@Controller("/v2")
public class ServerController {
    static final String VERSION = ServerController.class.getPackage().getImplementationVersion() != null
            ? ServerController.class.getPackage().getImplementationVersion() : "0.1.0-SNAPSHOT";

    @Get
    Map<String, Object> metadata() {
        return Map.of("name", "torpor", "version", VERSION, "extensions", List.of("model_repository", "binary_tensor_data"));
    }
}
