package dev.torpor.router.http;

import dev.torpor.error.TorporException;
import dev.torpor.router.billing.BillingStatus;

/** How an infer request's end is billed (API.md "Billing and headers"). */
final class BillingOutcome {
    private BillingOutcome() {
    }

    /** @param failure null when the request succeeded; anything not a {@link TorporException} is the server's */
    static BillingStatus of(Throwable failure) {
        if (failure == null) {
            return BillingStatus.OK;
        }
        if (!(failure instanceof TorporException known)) {
            return BillingStatus.SERVER_ERROR;
        }
        return switch (known.kind()) {
            case REQUEST_CANCELLED -> BillingStatus.CANCELLED;
            case DEADLINE_EXCEEDED -> BillingStatus.TIMEOUT;
            case QUEUE_FULL, CAPACITY_EXHAUSTED, SHUTTING_DOWN -> BillingStatus.REJECTED;
            case BAD_REQUEST, UNAUTHENTICATED, FORBIDDEN, MODEL_NOT_FOUND, VERSION_CONFLICT, PAYLOAD_TOO_LARGE,
                 BAD_INPUT -> BillingStatus.CLIENT_ERROR;
            case MODEL_LOAD_FAILED, INSTANCE_CRASHED, ENGINE_FAILURE -> BillingStatus.SERVER_ERROR;
        };
    }
}
