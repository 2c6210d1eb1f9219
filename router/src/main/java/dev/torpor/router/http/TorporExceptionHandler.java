package dev.torpor.router.http;

import dev.torpor.error.TorporException;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;

/** Maps every {@link TorporException} to its status and {@code {"error": …}} body, with {@code Retry-After}. */
@Produces
@Singleton
@Requires(classes = {TorporException.class, ExceptionHandler.class})
public class TorporExceptionHandler implements ExceptionHandler<TorporException, HttpResponse<?>> {

    @Override
    public HttpResponse<?> handle(HttpRequest request, TorporException exception) {
        return ErrorBodies.of(exception);
    }
}
