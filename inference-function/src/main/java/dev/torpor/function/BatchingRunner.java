package dev.torpor.function;

import dev.torpor.error.EngineFailure;
import dev.torpor.error.RequestCancelled;
import dev.torpor.error.TorporException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs an instance's requests in dynamic batches: requests queue in a {@link Batcher}; each of the instance's
 * engine threads loops taking the next due batch, stacks it into one engine call and splits the outputs back.
 * Threads that are busy leave requests to gather, so batches grow with load; an idle thread takes a batch as
 * soon as it is full or its oldest request has waited the maximum delay, and shares a due batch with the other
 * idle threads (at most one per processor), so that a burst keeps every core busy.
 *
 * <p>Each request is billed its share of the batch's engine time, proportional to its rows
 * ({@link Batcher#shares}). A batch whose engine call fails is run again one request at a time, so that one
 * request the engine refuses fails alone. A request cancelled while it waits leaves the queue; a batch's
 * engine call is terminated only when every request in it has been cancelled.
 */
public final class BatchingRunner {
    private final String instanceId;
    private final Session session;
    private final Batcher<Pending> batcher;
    private final LongAdder busyNanos;
    private final LongAdder runs;
    private final LongAdder batches = new LongAdder();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private boolean closed;
    /** Engine threads waiting in {@link #take} for a batch (guarded by {@link #lock}). */
    private int idle;
    private static final int PROCESSORS = Runtime.getRuntime().availableProcessors();

    private static final class Pending {
        final InferenceRequest request;
        final RunControl control;
        final int rows;
        final CompletableFuture<InferenceOutcome> future = new CompletableFuture<>();

        Pending(InferenceRequest request, RunControl control, int rows) {
            this.request = request;
            this.control = control;
            this.rows = rows;
        }
    }

    public BatchingRunner(String instanceId, Session session, Batching batching, LongAdder busyNanos, LongAdder runs) {
        this.instanceId = instanceId;
        this.session = session;
        this.batcher = new Batcher<>(batching.maxBatchSize(), TimeUnit.MICROSECONDS.toNanos(batching.maxDelayMicros()));
        this.busyNanos = busyNanos;
        this.runs = runs;
    }

    public CompletableFuture<InferenceOutcome> submit(InferenceRequest request, RunControl control) {
        int rows = Batcher.rows(request);
        // A request whose inputs do not share a first dimension cannot be stacked: it runs alone, at once.
        Pending pending = new Pending(request, control, rows);
        lock.lock();
        try {
            if (closed) {
                return CompletableFuture.failedFuture(new EngineFailure("instance " + instanceId + " has stopped"));
            }
            if (rows < 0) {
                batcher.add(pending, new Object(), Integer.MAX_VALUE, System.nanoTime());
            } else {
                batcher.add(pending, Batcher.key(request), rows, System.nanoTime());
            }
            changed.signal();
        } finally {
            lock.unlock();
        }
        control.onCancel(() -> {
            boolean removed;
            lock.lock();
            try {
                removed = batcher.remove(pending);
            } finally {
                lock.unlock();
            }
            if (removed) {
                pending.future.completeExceptionally(new RequestCancelled("cancelled before it ran"));
            }
        });
        return pending.future;
    }

    /** An engine thread's loop: runs due batches until {@link #close()} and the queue is empty. */
    public void work() {
        while (true) {
            List<Pending> batch;
            try {
                batch = take();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return;
            }
            if (batch == null) {
                return;
            }
            run(batch);
        }
    }

    /** Engine calls that ran more than one request. */
    long batches() {
        return batches.sum();
    }

    /** Stops taking new requests; the threads run what is queued, then return. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private List<Pending> take() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                long now = System.nanoTime();
                int parallel = Math.max(1, Math.min(idle + 1, PROCESSORS));
                List<Pending> batch = batcher.poll(now, closed, parallel);
                if (batch != null) {
                    if (!batcher.isEmpty()) {
                        changed.signal(); // another thread may take the next batch
                    }
                    return batch;
                }
                if (closed) {
                    return null;
                }
                idle++;
                try {
                    if (batcher.isEmpty()) {
                        changed.await();
                    } else {
                        changed.awaitNanos(Math.max(1, batcher.dueAtNanos() - now));
                    }
                } finally {
                    idle--;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void run(List<Pending> taken) {
        List<Pending> batch = new ArrayList<>(taken.size());
        for (Pending pending : taken) {
            if (pending.control.isCancelled()) {
                pending.future.completeExceptionally(new RequestCancelled("cancelled before it ran"));
            } else {
                batch.add(pending);
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        if (batch.size() == 1) {
            runAlone(batch.get(0));
            return;
        }
        int[] rows = new int[batch.size()];
        List<InferenceRequest> requests = new ArrayList<>(batch.size());
        for (int i = 0; i < rows.length; i++) {
            rows[i] = batch.get(i).rows;
            requests.add(batch.get(i).request);
        }
        RunControl together = new RunControl();
        AtomicInteger live = new AtomicInteger(batch.size());
        for (Pending pending : batch) {
            pending.control.onCancel(() -> {
                if (live.decrementAndGet() == 0) {
                    together.cancel();
                }
            });
        }
        long begin = System.nanoTime();
        List<List<Tensor>> parts;
        long took;
        try {
            List<Tensor> outputs = session.run(Batcher.stack(requests), together);
            took = System.nanoTime() - begin;
            parts = Batcher.split(outputs, rows);
        } catch (RuntimeException failed) {
            busyNanos.add(System.nanoTime() - begin);
            if (together.isCancelled()) {
                runs.add(batch.size());
                batch.forEach(pending -> pending.future.completeExceptionally(known(failed)));
                return;
            }
            // One request may be what the engine refused: give each its own answer.
            batch.forEach(this::runAlone);
            return;
        }
        busyNanos.add(took);
        runs.add(batch.size());
        batches.increment();
        long[] shares = Batcher.shares(took, rows);
        for (int i = 0; i < rows.length; i++) {
            batch.get(i).future.complete(new InferenceOutcome(parts.get(i), shares[i], batch.size()));
        }
    }

    private void runAlone(Pending pending) {
        long begin = System.nanoTime();
        try {
            List<Tensor> outputs = session.run(pending.request, pending.control);
            long took = System.nanoTime() - begin;
            busyNanos.add(took);
            pending.future.complete(new InferenceOutcome(outputs, took));
        } catch (RuntimeException failed) {
            busyNanos.add(System.nanoTime() - begin);
            pending.future.completeExceptionally(known(failed));
        } finally {
            runs.increment();
        }
    }

    private RuntimeException known(RuntimeException failure) {
        return failure instanceof TorporException torpor ? torpor
                : new EngineFailure("engine failure in instance " + instanceId + ": " + failure, failure);
    }
}
