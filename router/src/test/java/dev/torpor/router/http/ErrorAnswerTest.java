package dev.torpor.router.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.error.BadInput;
import dev.torpor.error.BadRequest;
import dev.torpor.error.CapacityExhausted;
import dev.torpor.error.DeadlineExceeded;
import dev.torpor.error.EngineFailure;
import dev.torpor.error.ErrorKind;
import dev.torpor.error.Forbidden;
import dev.torpor.error.InstanceCrashed;
import dev.torpor.error.ModelLoadFailed;
import dev.torpor.error.ModelNotFound;
import dev.torpor.error.PayloadTooLarge;
import dev.torpor.error.QueueFull;
import dev.torpor.error.RequestCancelled;
import dev.torpor.error.ShuttingDown;
import dev.torpor.error.TorporException;
import dev.torpor.error.Unauthenticated;
import dev.torpor.error.VersionConflict;
import dev.torpor.router.billing.BillingStatus;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** The edge's one mapping from every kind of error to its status, body, {@code Retry-After} and billing outcome. */
class ErrorAnswerTest {
    private static final Duration WAIT = Duration.ofMillis(1500);

    /** One error of each kind; the "not now" kinds carry {@link #WAIT}. */
    private static TorporException errorOf(ErrorKind kind) {
        return switch (kind) {
            case BAD_REQUEST -> new BadRequest("m");
            case UNAUTHENTICATED -> new Unauthenticated("m");
            case FORBIDDEN -> new Forbidden("m");
            case MODEL_NOT_FOUND -> new ModelNotFound("m");
            case VERSION_CONFLICT -> new VersionConflict("m");
            case PAYLOAD_TOO_LARGE -> new PayloadTooLarge("m");
            case BAD_INPUT -> new BadInput("m");
            case QUEUE_FULL -> new QueueFull("m", WAIT);
            case MODEL_LOAD_FAILED -> new ModelLoadFailed("m", WAIT);
            case CAPACITY_EXHAUSTED -> new CapacityExhausted("m", WAIT);
            case SHUTTING_DOWN -> new ShuttingDown("m", WAIT);
            case INSTANCE_CRASHED -> new InstanceCrashed("m", WAIT);
            case DEADLINE_EXCEEDED -> new DeadlineExceeded("m");
            case REQUEST_CANCELLED -> new RequestCancelled("m");
            case ENGINE_FAILURE -> new EngineFailure("m");
        };
    }

    @ParameterizedTest
    @CsvSource({
            "BAD_REQUEST, 400, client_error",
            "UNAUTHENTICATED, 401, client_error",
            "FORBIDDEN, 403, client_error",
            "MODEL_NOT_FOUND, 404, client_error",
            "VERSION_CONFLICT, 409, client_error",
            "PAYLOAD_TOO_LARGE, 413, client_error",
            "BAD_INPUT, 422, client_error",
            "QUEUE_FULL, 429, rejected",
            "REQUEST_CANCELLED, 499, cancelled",
            "ENGINE_FAILURE, 500, server_error",
            "MODEL_LOAD_FAILED, 503, server_error",
            "CAPACITY_EXHAUSTED, 503, rejected",
            "SHUTTING_DOWN, 503, rejected",
            "INSTANCE_CRASHED, 503, server_error",
            "DEADLINE_EXCEEDED, 504, timeout",
    })
    void everyKindHasItsStatusAndBillingOutcome(ErrorKind kind, int status, String billed) {
        TorporException error = errorOf(kind);
        assertThat(error.kind()).isEqualTo(kind);
        assertThat(ErrorAnswer.status(kind)).isEqualTo(status);
        ErrorAnswer answer = ErrorAnswer.of(error);
        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.body()).isEqualTo(Map.of("error", "m"));
        assertThat(BillingOutcome.of(error)).isEqualTo(BillingStatus.fromWire(billed));
    }

    @ParameterizedTest
    @EnumSource(ErrorKind.class)
    void theNotNowKindsAndOnlyTheyTellTheClientWhenToRetryInWholeSecondsRoundedUp(ErrorKind kind) {
        boolean notNow = switch (ErrorAnswer.status(kind)) {
            case 429, 503 -> true;
            default -> false;
        };
        Map<String, String> headers = ErrorAnswer.of(errorOf(kind)).headers();
        if (notNow) {
            assertThat(headers).as("%s", kind).containsExactly(Map.entry("Retry-After", "2"));
        } else {
            assertThat(headers).as("%s", kind).isEmpty();
        }
    }

    @Test
    void aWaitUnderASecondIsOneSecondAndAnErrorWithoutAHintHasNoHeader() {
        assertThat(ErrorAnswer.of(new QueueFull("m", Duration.ofMillis(1))).headers())
                .containsExactly(Map.entry("Retry-After", "1"));
        assertThat(ErrorAnswer.of(new QueueFull("m", Duration.ofSeconds(3))).headers())
                .containsExactly(Map.entry("Retry-After", "3"));
        assertThat(ErrorAnswer.of(new ShuttingDown("m", null)).headers()).isEmpty();
    }

    @Test
    void aMessagelessErrorStillHasAnErrorText() {
        assertThat(ErrorAnswer.of(new EngineFailure(null)).body()).isEqualTo(Map.of("error", "error"));
    }

    @Test
    void aFailureThatIsNoTorporErrorIsBilledAsTheServers() {
        assertThat(BillingOutcome.of(new IllegalStateException("bug"))).isEqualTo(BillingStatus.SERVER_ERROR);
        assertThat(BillingOutcome.of(null)).isEqualTo(BillingStatus.OK);
    }
}
