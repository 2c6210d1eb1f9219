package dev.torpor.router.http;

import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A bug or an engine failure nobody classified: 500 with the message, and the stack trace in the log. */
@Produces
@Singleton
@Requires(classes = {IllegalStateException.class, ExceptionHandler.class})
public class UnexpectedExceptionHandler implements ExceptionHandler<IllegalStateException, HttpResponse<?>> {
    private static final Logger LOG = LoggerFactory.getLogger(UnexpectedExceptionHandler.class);

    @Override
    public HttpResponse<?> handle(HttpRequest request, IllegalStateException exception) {
        LOG.error("{} {} failed", request.getMethod(), request.getPath(), exception);
        return ErrorBodies.of(500, "internal error: " + exception.getMessage());
    }
}
