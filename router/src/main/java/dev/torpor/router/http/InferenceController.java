package dev.torpor.router.http;

import dev.torpor.function.json.InferenceRequestDecoder;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /v2/models/{m}[/versions/{v}]/infer}. Reads the body on a blocking thread, then waits for
 * the answer without holding one: the activator completes the future when an instance has run the request.
 */
@Controller("/v2/models/{model}")
public class InferenceController {
    private final InferenceService inference;

    InferenceController(InferenceService inference) {
        this.inference = inference;
    }

    @Post("/infer")
    @Consumes(MediaType.ALL)
    @ExecuteOn(TaskExecutors.BLOCKING)
    CompletableFuture<MutableHttpResponse<byte[]>> infer(String model, HttpRequest<?> request,
                                                         @Nullable @Body InputStream body) {
        return run(model, null, request, body);
    }

    @Post("/versions/{version}/infer")
    @Consumes(MediaType.ALL)
    @ExecuteOn(TaskExecutors.BLOCKING)
    CompletableFuture<MutableHttpResponse<byte[]>> inferVersion(String model, String version, HttpRequest<?> request,
                                                                @Nullable @Body InputStream body) {
        return run(model, version, request, body);
    }

    private CompletableFuture<MutableHttpResponse<byte[]>> run(String model, String version, HttpRequest<?> request,
                                                               InputStream maybeBody) {
        // An empty body binds as null; it is still a request on the model, answered 400 and billed.
        InputStream body = maybeBody != null ? maybeBody : InputStream.nullInputStream();
        CompletableFuture<InferenceReply> answered;
        // The body is read (or refused) before infer returns; closing it here covers a 404 that never reads it.
        try (body) {
            answered = inference.infer(Callers.of(request), model, version, body, request.getContentLength(),
                    request.getHeaders().get(InferenceRequestDecoder.HEADER_LENGTH), NettyClientLink.of(request));
        } catch (java.io.IOException closeFailed) {
            throw new java.io.UncheckedIOException(closeFailed);
        }
        return answered.thenApply(reply -> {
                    MutableHttpResponse<byte[]> response = HttpResponse.<byte[]>status(HttpStatus.OK).status(reply.status())
                            .contentType(reply.binary() ? MediaType.APPLICATION_OCTET_STREAM_TYPE
                                    : MediaType.APPLICATION_JSON_TYPE)
                            .body(reply.body());
                    reply.headers().forEach(response::header);
                    return response;
                });
    }
}
