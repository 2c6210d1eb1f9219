package dev.torpor.router.activation;

import dev.torpor.error.RequestCancelled;
import dev.torpor.function.FunctionInstance;
import dev.torpor.function.InferenceOutcome;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.InstanceState;
import dev.torpor.function.RunControl;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A function instance whose load and runs the test finishes by hand. Runs answer at once when
 * {@code answerAtOnce} is set; otherwise they wait in {@link #pending} until the test completes them.
 */
final class FakeInstance implements FunctionInstance {
    final CompletableFuture<Duration> loading = new CompletableFuture<>();
    final ConcurrentLinkedQueue<CompletableFuture<InferenceOutcome>> pending = new ConcurrentLinkedQueue<>();
    final AtomicInteger loadCalls = new AtomicInteger();
    final AtomicInteger runs = new AtomicInteger();
    final CountDownLatch stoppedLatch = new CountDownLatch(1);
    private final String id;
    private final Instant startedAt;
    private volatile InstanceState state = InstanceState.COLD;
    volatile boolean answerAtOnce = true;

    FakeInstance(String id, Instant startedAt) {
        this.id = id;
        this.startedAt = startedAt;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public InstanceState state() {
        return state;
    }

    @Override
    public Instant startedAt() {
        return startedAt;
    }

    @Override
    public CompletableFuture<Duration> load() {
        if (loadCalls.getAndIncrement() == 0) {
            state = InstanceState.LOADING;
        }
        return loading;
    }

    void finishLoad(Duration took) {
        state = InstanceState.READY;
        loading.complete(took);
    }

    void failLoad(RuntimeException why) {
        state = InstanceState.FAILED;
        loading.completeExceptionally(why);
    }

    @Override
    public CompletableFuture<InferenceOutcome> infer(InferenceRequest request, RunControl control) {
        runs.incrementAndGet();
        if (answerAtOnce) {
            return CompletableFuture.completedFuture(new InferenceOutcome(List.of(), 1_000));
        }
        CompletableFuture<InferenceOutcome> run = new CompletableFuture<>();
        control.onCancel(() -> run.completeExceptionally(new RequestCancelled("terminated")));
        pending.add(run);
        return run;
    }

    /** Finishes the oldest waiting run. */
    void answerOne() {
        pending.remove().complete(new InferenceOutcome(List.of(), 2_000));
    }

    @Override
    public void drain() {
        state = InstanceState.DRAINING;
    }

    @Override
    public void stop() {
        state = InstanceState.STOPPED;
        stoppedLatch.countDown();
    }

    boolean awaitStopped() throws InterruptedException {
        return stoppedLatch.await(5, TimeUnit.SECONDS);
    }

    boolean awaitStoppedQuietly() {
        try {
            return awaitStopped();
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    boolean isStopped() {
        return stoppedLatch.getCount() == 0;
    }
}
