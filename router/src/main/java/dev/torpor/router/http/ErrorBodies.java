package dev.torpor.router.http;

import dev.torpor.error.TorporException;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import java.util.Map;

/** The one place that turns an error into the Open Inference Protocol's {@code {"error": "..."}} response. */
public final class ErrorBodies {
    private ErrorBodies() {
    }

    public static MutableHttpResponse<Map<String, String>> of(TorporException error) {
        MutableHttpResponse<Map<String, String>> response = of(error.httpStatus(), error.getMessage());
        error.retryAfter().ifPresent(wait ->
                response.header("Retry-After", Long.toString(Math.max(1, (wait.toMillis() + 999) / 1000))));
        return response;
    }

    public static MutableHttpResponse<Map<String, String>> of(int status, String message) {
        return HttpResponse.<Map<String, String>>status(HttpStatus.valueOf(status))
                .contentType(MediaType.APPLICATION_JSON_TYPE)
                .body(Map.of("error", message == null ? "error" : message));
    }
}
