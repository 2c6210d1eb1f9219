package dev.torpor.router.activation;

import dev.torpor.pool.PoolState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Read-only snapshots of the pool for the repository, the admin API and tests: instances, the pool as
 * placement sees it, load failures and the queued total. Changes nothing.
 *
 * <p>Thread-safe: each view copies what it needs while holding the {@link PoolBook#lock pool's lock} and
 * returns values that no longer share state with the book-keeping.
 */
final class PoolViews {
    private final PoolBook book;

    PoolViews(PoolBook book) {
        this.book = book;
    }

    /** Instances and failures of every version of a model, for the repository and pool views. */
    List<InstanceView> instances(String model) {
        List<InstanceView> views = new ArrayList<>();
        synchronized (book.lock) {
            for (ModelGate gate : book.gatesOf(model)) {
                gate.slots().forEach(slot -> views.add(InstanceView.of(gate.id(), slot)));
            }
        }
        return views;
    }

    /** Every instance of every model that is LOADING, READY or DRAINING, oldest first. */
    List<InstanceView> allInstances() {
        List<InstanceView> views = new ArrayList<>();
        synchronized (book.lock) {
            for (ModelGate gate : book.gates()) {
                gate.slots().forEach(slot -> views.add(InstanceView.of(gate.id(), slot)));
            }
        }
        views.sort(Comparator.comparing(InstanceView::startedAt, Comparator.nullsLast(Comparator.naturalOrder())));
        return views;
    }

    /** The pool as placement sees it: devices, and every instance holding capacity (stopping ones too). */
    PoolState poolState() {
        synchronized (book.lock) {
            return book.snapshotLocked();
        }
    }

    /** The most recent unrecovered load failure among a model's versions, if any. */
    Optional<LoadFailureView> lastLoadFailure(String model) {
        LoadFailureView latest = null;
        synchronized (book.lock) {
            for (ModelGate gate : book.gatesOf(model)) {
                Optional<LoadFailureView> failure = gate.failureView();
                if (failure.isPresent() && (latest == null || failure.get().at().isAfter(latest.at()))) {
                    latest = failure.get();
                }
            }
        }
        return Optional.ofNullable(latest);
    }

    /** Requests waiting for capacity across every model. */
    int queuedTotal() {
        synchronized (book.lock) {
            return book.queuedTotalLocked();
        }
    }
}
