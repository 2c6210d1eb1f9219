package dev.torpor.router.http;

import dev.torpor.error.TorporException;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.Error;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;
import java.util.Map;

/**
 * Gives Micronaut's own errors (no such route, wrong method, body over the server's backstop limit, a body
 * that cannot be bound) the same {@code {"error": "..."}} shape as Torpor's. A {@link TorporException} that reaches
 * Micronaut outside a route's exception handling (the blocking executor refusing to run a route, see
 * {@link BlockingPool}) is answered by {@link ErrorAnswer}, like every other.
 */
@Singleton
@Replaces(ErrorResponseProcessor.class)
public class OipErrorResponseProcessor implements ErrorResponseProcessor<Map<String, String>> {

    @Override
    public MutableHttpResponse<Map<String, String>> processResponse(ErrorContext context,
                                                                    MutableHttpResponse<?> response) {
        if (context.getRootCause().orElse(null) instanceof TorporException known) {
            ErrorAnswer answer = ErrorAnswer.of(known);
            answer.headers().forEach(response::header);
            return response.status(HttpStatus.valueOf(answer.status()))
                    .contentType(MediaType.APPLICATION_JSON_TYPE).body(answer.body());
        }
        String message = context.getErrors().stream()
                .map(Error::getMessage)
                .findFirst()
                .orElse(response.status().getReason());
        if (response.status().getCode() == 404 && context.getErrors().isEmpty()) {
            message = "no route " + context.getRequest().getMethod() + " " + context.getRequest().getPath();
        }
        return response.contentType(MediaType.APPLICATION_JSON_TYPE).body(Map.of("error", message));
    }
}
