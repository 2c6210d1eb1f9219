package dev.torpor.router.http;

import dev.torpor.error.TorporException;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import java.util.Map;

/** Micronaut responses with the Open Inference Protocol's {@code {"error": "..."}} body, from an {@link ErrorAnswer}. */
public final class ErrorBodies {
    private ErrorBodies() {
    }

    public static MutableHttpResponse<Map<String, String>> of(TorporException error) {
        ErrorAnswer answer = ErrorAnswer.of(error);
        MutableHttpResponse<Map<String, String>> response = of(answer.status(), answer.message());
        answer.headers().forEach(response::header);
        return response;
    }

    public static MutableHttpResponse<Map<String, String>> of(int status, String message) {
        return HttpResponse.<Map<String, String>>status(HttpStatus.valueOf(status))
                .contentType(MediaType.APPLICATION_JSON_TYPE)
                .body(new ErrorAnswer(status, message, Map.of()).body());
    }
}
