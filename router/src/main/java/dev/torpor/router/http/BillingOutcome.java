package dev.torpor.router.http;

import dev.torpor.error.CapacityExhausted;
import dev.torpor.error.DeadlineExceeded;
import dev.torpor.error.ModelLoadFailed;
import dev.torpor.error.QueueFull;
import dev.torpor.error.RequestCancelled;
import dev.torpor.error.ShuttingDown;
import dev.torpor.error.TorporException;
import dev.torpor.router.billing.BillingStatus;

/** How an infer request's end is billed (API.md "Billing and headers"). */
final class BillingOutcome {
    private BillingOutcome() {
    }

    static BillingStatus of(Throwable failure) {
        if (failure == null) {
            return BillingStatus.OK;
        }
        if (failure instanceof RequestCancelled) {
            return BillingStatus.CANCELLED;
        }
        if (failure instanceof DeadlineExceeded) {
            return BillingStatus.TIMEOUT;
        }
        if (failure instanceof QueueFull || failure instanceof CapacityExhausted || failure instanceof ShuttingDown) {
            return BillingStatus.REJECTED;
        }
        if (failure instanceof ModelLoadFailed) {
            return BillingStatus.SERVER_ERROR;
        }
        if (failure instanceof TorporException known && known.httpStatus() < 500) {
            return BillingStatus.CLIENT_ERROR;
        }
        return BillingStatus.SERVER_ERROR;
    }
}
