package dev.torpor.function.json;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.torpor.error.BadInput;
import dev.torpor.error.BadRequest;
import dev.torpor.error.ErrorKind;
import dev.torpor.error.PayloadTooLarge;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.Tensor;
import dev.torpor.store.DataType;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;

/**
 * Coverage-guided fuzzing of the request decoder (Jazzer). The property: whatever the bytes, the decoder either
 * returns tensors that respect its {@link DecodeLimits}, or refuses with one of Torpor's 4xx exceptions. Anything
 * else escaping (a NullPointerException, an ArithmeticException, an IndexOutOfBounds, a StackOverflowError, an
 * OutOfMemoryError…) is a finding: it would be a 500 or a dead server.
 *
 * <p>Each input is decoded twice: as a whole JSON body, and as a body with binary tensor data whose JSON part
 * ends at the last '}' (the {@code Inference-Header-Content-Length} a client would send), so the binary
 * extension's path is fuzzed with the same bytes. The limits are small so that the fuzzer reaches them.
 *
 * <p>{@code mvn verify} replays the seeds (src/test/resources/…/InferenceRequestDecoderFuzzTestInputs) and then
 * fuzzes for {@code maxDuration} in a second surefire run (JAZZER_FUZZ=1, see inference-function's pom).
 */
class InferenceRequestDecoderFuzzTest {
    static final DecodeLimits LIMITS = new DecodeLimits(4096, 8, 6, 16, 64, 8, 1024);
    private static final InferenceRequestDecoder DECODER = new InferenceRequestDecoder(LIMITS);
    /** The kinds of error that are the client's fault: the router answers each with a 4xx (ErrorAnswerTest). */
    private static final Set<ErrorKind> CLIENT_FAULTS =
            EnumSet.of(ErrorKind.BAD_REQUEST, ErrorKind.PAYLOAD_TOO_LARGE, ErrorKind.BAD_INPUT);

    @FuzzTest(maxDuration = "45s")
    void decodesWithinTheLimitsOrRefusesWith4xx(byte[] body) {
        check(() -> DECODER.decode(body));
        int end = lastBrace(body);
        if (end > 0) {
            check(() -> DECODER.decode(body, Integer.toString(end)).request());
        }
    }

    private static int lastBrace(byte[] body) {
        for (int i = body.length - 1; i >= 0; i--) {
            if (body[i] == '}') {
                return i + 1;
            }
        }
        return -1;
    }

    /** Runs one decoding and checks the property; a violation throws, which Jazzer reports as a finding. */
    static void check(java.util.function.Supplier<InferenceRequest> decoding) {
        InferenceRequest request;
        try {
            request = decoding.get();
        } catch (BadRequest | PayloadTooLarge | BadInput refused) {
            if (!CLIENT_FAULTS.contains(refused.kind()) || refused.getMessage() == null) {
                throw new AssertionError("a refusal must be the client's fault (a 4xx) with a message: " + refused, refused);
            }
            return;
        }
        respectsTheLimits(request);
    }

    static void respectsTheLimits(InferenceRequest request) {
        if (request.inputs().size() > LIMITS.maxInputs()) {
            throw new AssertionError(request.inputs().size() + " inputs");
        }
        if (request.requestedOutputs().size() > LIMITS.maxOutputs()) {
            throw new AssertionError(request.requestedOutputs().size() + " outputs");
        }
        long elements = 0;
        long bytesData = 0;
        for (Tensor tensor : request.inputs()) {
            long[] shape = tensor.shape();
            if (shape.length > LIMITS.maxRank()) {
                throw new AssertionError("rank " + shape.length);
            }
            for (long dim : shape) {
                if (dim < 0 || dim > LIMITS.maxElementsPerRequest()) {
                    throw new AssertionError("dimension " + dim);
                }
            }
            // The Tensor record checks that the array holds exactly elementCount(shape) elements.
            elements += tensor.size();
            if (tensor.datatype() == DataType.BYTES) {
                for (String element : (String[]) tensor.data()) {
                    int length = element.getBytes(StandardCharsets.UTF_8).length;
                    if (length > LIMITS.maxBytesElementLength()) {
                        throw new AssertionError("a BYTES element of " + length + " bytes");
                    }
                    bytesData += 4 + length;
                }
            }
        }
        if (elements > LIMITS.maxElementsPerRequest()) {
            throw new AssertionError(elements + " elements");
        }
        if (bytesData > LIMITS.maxBytesPerRequest()) {
            throw new AssertionError(bytesData + " bytes of BYTES data");
        }
    }
}
