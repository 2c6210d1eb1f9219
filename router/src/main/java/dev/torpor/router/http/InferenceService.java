package dev.torpor.router.http;

import dev.torpor.error.CapacityExhausted;
import dev.torpor.error.EngineFailure;
import dev.torpor.error.TorporException;
import dev.torpor.function.InferenceOutcome;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.InferenceResponse;
import dev.torpor.function.SignatureValidator;
import dev.torpor.function.json.DecodedRequest;
import dev.torpor.function.json.InferenceRequestDecoder;
import dev.torpor.function.json.InferenceResponseEncoder;
import dev.torpor.router.activation.Activator;
import dev.torpor.router.activation.Invocation;
import dev.torpor.router.activation.ServingPolicy;
import dev.torpor.router.auth.Caller;
import dev.torpor.router.auth.ModelAccess;
import dev.torpor.router.billing.BillingRecord;
import dev.torpor.router.billing.Ledger;
import dev.torpor.router.billing.Prices;
import dev.torpor.router.billing.RecordIds;
import dev.torpor.router.billing.RequestRecords;
import dev.torpor.router.model.ModelCatalog;
import dev.torpor.router.model.Servable;
import dev.torpor.store.ModelManifest;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One infer request from bytes to answer: decode once at the edge, check against the model's signature,
 * hand to the activator, encode, and write exactly one billing record — whatever the outcome — before the
 * answer leaves. Requests for unknown models fail before any of this (404, no record).
 */
public final class InferenceService {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceService.class);
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final ModelCatalog catalog;
    private final ModelAccess access;
    private final Activator activator;
    private final Ledger ledger;
    private final Clock clock;
    private final InferenceRequestDecoder decoder;
    private final InferenceResponseEncoder encoder = new InferenceResponseEncoder();
    private final long maxRequestBytes;
    private final String requestLimitName;
    private final Executor responder;
    private final RequestRecords records;

    /**
     * @param responder where answers are encoded, so an instance's threads go back to running the model
     * @param prices    the prices a record is priced with when it is built (the price table's current version)
     */
    public InferenceService(ModelCatalog catalog, ModelAccess access, Activator activator, Ledger ledger,
                            RecordIds ids, Clock clock, InferenceRequestDecoder decoder, long maxRequestMb,
                            Executor responder, Supplier<Prices> prices) {
        this.access = access;
        this.records = new RequestRecords(ids, prices);
        this.catalog = catalog;
        this.activator = activator;
        this.ledger = ledger;
        this.clock = clock;
        this.decoder = decoder;
        this.maxRequestBytes = maxRequestMb * 1024 * 1024;
        this.requestLimitName = "the " + maxRequestMb + " MB inference request limit (TORPOR_MAX_REQUEST_MB)";
        this.responder = orInline(responder);
    }

    /**
     * @param version      null for the model's default version
     * @param headerLength the {@code Inference-Header-Content-Length} header (binary tensor data), or null
     * @param caller       the key's caller; the billing record's tenant
     * @throws dev.torpor.error.ModelNotFound (thrown, not in the future) for an unknown model or version
     * @throws dev.torpor.error.Forbidden     (thrown, not in the future; no record) for a caller that may not call it
     */
    CompletableFuture<InferenceReply> infer(Caller caller, String model, String version, InputStream body,
                                            long contentLength, String headerLength, ClientLink client) {
        Instant arrived = clock.instant();
        Servable servable = catalog.servable(model, version);
        ModelManifest manifest = servable.manifest();
        access.requireMayCall(caller, model);
        Trip trip = new Trip(manifest, arrived, caller.tenant());
        try {
            byte[] bytes = BoundedBody.read(body, contentLength, maxRequestBytes, requestLimitName);
            trip.requestBytes = bytes.length;
            DecodedRequest decoded = decoder.decode(bytes, headerLength);
            InferenceRequest request = decoded.request();
            trip.decoded = decoded;
            SignatureValidator.validate(request, manifest.signature());
            ServingPolicy policy = servable.policy();
            trip.memoryMb = policy.memoryMb();
            Invocation invocation = new Invocation(request, arrived, policy.requestTimeout());
            trip.invocation = invocation;
            client.onGone(() -> activator.cancel(manifest.id(), invocation));
            activator.submit(manifest, servable.artifact(), policy, invocation);
            return invocation.result()
                    .handleAsync((outcome, failure) -> answer(trip, request, outcome, Activator.unwrap(failure)), responder)
                    .thenCompose(this::bill)
                    .whenComplete((reply, failure) -> client.release());
        } catch (TorporException refused) {
            client.release();
            return bill(answer(trip, null, null, refused));
        } catch (RuntimeException bug) {
            client.release();
            LOG.error("infer on {} failed unexpectedly", manifest.id(), bug);
            return bill(answer(trip, null, null, new EngineFailure("internal error: " + bug.getMessage(), bug)));
        }
    }

    /** What the trip through the router learned, for the reply and the record. */
    private static final class Trip {
        final ModelManifest manifest;
        final Instant arrived;
        final String tenant;
        long requestBytes;
        long memoryMb;
        Invocation invocation;
        DecodedRequest decoded;
        InferenceReply reply;
        BillingRecord record;

        Trip(ModelManifest manifest, Instant arrived, String tenant) {
            this.manifest = manifest;
            this.arrived = arrived;
            this.tenant = tenant;
        }
    }

    private Trip answer(Trip trip, InferenceRequest request, InferenceOutcome outcome, Throwable failure) {
        Instant now = clock.instant();
        int status = 200;
        byte[] body;
        boolean binary = false;
        Map<String, String> headers = new LinkedHashMap<>();
        body = null;
        if (failure == null) {
            status = 200;
            InferenceResponse response = new InferenceResponse(trip.manifest.name(), trip.manifest.version(),
                    request.id(), outcome.outputs());
            DecodedRequest decoded = trip.decoded;
            try {
                if (decoded != null && decoded.anyBinaryOutput()) {
                    InferenceResponseEncoder.Encoded encoded = encoder.encode(response, decoded::binaryOutput);
                    body = encoded.body();
                    binary = encoded.binary();
                    if (binary) {
                        headers.put(InferenceRequestDecoder.HEADER_LENGTH, Integer.toString(encoded.headerLength()));
                    }
                } else {
                    body = encoder.encode(response);
                }
            } catch (RuntimeException unencodable) {
                // Still one answer and one record: an answer that cannot be encoded is the server's failure.
                LOG.error("the answer of {} could not be encoded", trip.manifest.id(), unencodable);
                failure = new EngineFailure("the answer could not be encoded: " + unencodable.getMessage(), unencodable);
                binary = false;
                headers.clear();
            }
        }
        if (failure != null) {
            ErrorAnswer error = ErrorAnswer.of(failure instanceof TorporException torpor ? torpor
                    : new EngineFailure("engine failure: " + failure.getMessage(), failure));
            status = error.status();
            body = errorJson(error);
            headers.putAll(error.headers());
        }
        trip.record = record(trip, outcome, now).answered(BillingOutcome.of(failure), status, body.length);
        headers.put("torpor-request-id", trip.record.id());
        headers.put("torpor-cold-start", Boolean.toString(trip.record.coldStart()));
        headers.put("torpor-queue-ms", trip.record.queueMs().toPlainString());
        headers.put("torpor-compute-ms", trip.record.computeMs().toPlainString());
        if (outcome != null) {
            headers.put("torpor-batch-size", Integer.toString(outcome.batchSize()));
        }
        trip.reply = new InferenceReply(status, body, headers, binary);
        return trip;
    }

    /** Commits the record, then releases the reply: a client never holds an id the ledger lacks. */
    private CompletableFuture<InferenceReply> bill(Trip trip) {
        return ledger.append(trip.record).handle((committed, failure) -> {
            if (failure != null) {
                LOG.error("billing record {} for {} could not be committed", trip.record.id(), trip.manifest.id(),
                        failure);
            }
            return trip.reply;
        });
    }

    /** The billing record of the trip so far: what the activator and the engine measured. */
    private RequestRecords.Builder record(Trip trip, InferenceOutcome outcome, Instant now) {
        RequestRecords.Builder record = records.request(trip.arrived, trip.tenant, trip.manifest.owner(),
                trip.manifest.name(), trip.manifest.version()).sized((int) trip.memoryMb, trip.requestBytes);
        Invocation invocation = trip.invocation;
        if (invocation != null) {
            record.servedBy(invocation.instanceId(), invocation.deviceId(), invocation.coldStart())
                    .waited(micros(invocation.queueTime(now)), micros(invocation.initTime()));
        }
        if (outcome != null) {
            record.ran(outcome.computeNanos() / 1000);
        }
        return record;
    }

    /**
     * {@code responder}, or the completing thread when the responder refuses the task (all its threads busy, or
     * shutting down): an answer and its record are never dropped for want of a thread.
     */
    private static Executor orInline(Executor responder) {
        return task -> {
            try {
                responder.execute(task);
            } catch (CapacityExhausted | RejectedExecutionException busy) {
                task.run();
            }
        };
    }

    private static long micros(Duration duration) {
        return duration.toNanos() / 1000;
    }

    private static byte[] errorJson(ErrorAnswer error) {
        try {
            return JSON.writeValueAsBytes(error.body());
        } catch (java.io.IOException impossible) {
            throw new java.io.UncheckedIOException(impossible);
        }
    }
}
