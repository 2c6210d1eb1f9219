package dev.torpor.router.activation;

import dev.torpor.error.ShuttingDown;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Takes the whole pool down (SIGTERM): stops admitting, gives the requests queued and running a grace period,
 * then fails what is left with 503 and stops every instance.
 *
 * <p>Thread-safety: the shutting-down flag is set first (volatile, so admissions, wakes and capacity freeing see
 * it at once); the pool is polled and emptied holding the {@link PoolBook#lock pool's lock}, and the requests
 * are failed and the instances stopped after it is released, on the calling thread.
 */
final class PoolShutdown {
    private final PoolBook book;

    PoolShutdown(PoolBook book) {
        this.book = book;
    }

    /** Blocks for at most {@code grace}, plus the time the instances take to stop. */
    void shutdown(Duration grace) {
        book.beginShutdown();
        long until = System.nanoTime() + grace.toNanos();
        while (System.nanoTime() < until && busy()) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<Waiting> left = new ArrayList<>();
        List<InstanceSlot> slots = new ArrayList<>();
        synchronized (book.lock) {
            for (ModelGate gate : book.gates()) {
                left.add(gate.takeAllWaiting());
                slots.addAll(gate.takeAllSlots());
            }
        }
        ShuttingDown down = new ShuttingDown("Torpor shut down before the request ran", null);
        left.forEach(waiting -> waiting.fail(down));
        slots.forEach(slot -> {
            slot.instance().stop();
            slot.stopped().complete(null);
        });
    }

    private boolean busy() {
        synchronized (book.lock) {
            for (ModelGate gate : book.gates()) {
                if (gate.isBusy()) {
                    return true;
                }
            }
        }
        return false;
    }
}
