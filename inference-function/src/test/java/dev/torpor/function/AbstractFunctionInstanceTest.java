package dev.torpor.function;

import static org.assertj.core.api.Assertions.assertThat;

import dev.torpor.error.BadInput;
import dev.torpor.error.EngineFailure;
import dev.torpor.error.ModelLoadFailed;
import dev.torpor.error.TorporException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The lifecycle template's transitions, driven through a scripted subclass (pure logic, no engine). */
class AbstractFunctionInstanceTest {

    /** An instance whose load completes when the test says so. */
    static final class Scripted extends AbstractFunctionInstance {
        final CompletableFuture<Void> loading = new CompletableFuture<>();
        final AtomicInteger starts = new AtomicInteger();
        final AtomicInteger releases = new AtomicInteger();
        final AtomicInteger abandoned = new AtomicInteger();

        Scripted() {
            super("m-1-test", "m/1", Instant.EPOCH);
        }

        @Override
        protected CompletableFuture<?> startLoading() {
            starts.incrementAndGet();
            return loading;
        }

        @Override
        protected void stoppedWhileLoading() {
            abandoned.incrementAndGet();
        }

        @Override
        protected TorporException loadFailure(Throwable cause) {
            return new ModelLoadFailed("scripted: " + cause.getMessage(), null);
        }

        @Override
        protected CompletableFuture<InferenceOutcome> run(InferenceRequest request, RunControl control) {
            recordRun(2_000);
            return CompletableFuture.completedFuture(new InferenceOutcome(List.of(), 2_000));
        }

        @Override
        protected void release() {
            releases.incrementAndGet();
        }
    }

    private static final InferenceRequest REQUEST = new InferenceRequest("r", List.of(), List.of());

    @Test
    void loadIsSingleFlightAndEndsReadyThenRunsAndCounts() throws Exception {
        Scripted instance = new Scripted();
        assertThat(instance.infer(REQUEST, new RunControl())).failsWithin(java.time.Duration.ZERO)
                .withThrowableOfType(ExecutionException.class).withCauseInstanceOf(EngineFailure.class);
        var first = instance.load();
        assertThat(instance.load()).isSameAs(first);
        assertThat(instance.state()).isEqualTo(InstanceState.LOADING);
        instance.loading.complete(null);
        assertThat(first.get().isNegative()).isFalse();
        assertThat(instance.starts).hasValue(1);
        assertThat(instance.state()).isEqualTo(InstanceState.READY);

        instance.infer(REQUEST, new RunControl()).get();
        instance.drain();
        instance.infer(REQUEST, new RunControl()).get();
        assertThat(instance.runs()).isEqualTo(2);
        assertThat(instance.busyMicros()).isEqualTo(4);

        instance.stop();
        instance.stop();
        assertThat(instance.releases).as("stop is idempotent").hasValue(1);
        assertThat(instance.state()).isEqualTo(InstanceState.STOPPED);
        assertThat(instance.infer(REQUEST, new RunControl())).isCompletedExceptionally();
    }

    @Test
    void aFailedLoadIsFailedWithTheSubclassesReport() {
        Scripted instance = new Scripted();
        var load = instance.load();
        instance.loading.completeExceptionally(new BadInput("no such op"));
        assertThat(load).failsWithin(java.time.Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(ModelLoadFailed.class).withMessageContaining("scripted: no such op");
        assertThat(instance.state()).isEqualTo(InstanceState.FAILED);
        instance.stop();
        assertThat(instance.state()).isEqualTo(InstanceState.STOPPED);
    }

    @Test
    void aLoadThatFinishesAfterStopFreesWhatItAcquired() {
        Scripted instance = new Scripted();
        var load = instance.load();
        instance.stop();
        instance.loading.complete(null);
        assertThat(load).failsWithin(java.time.Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .withMessageContaining("was stopped while loading");
        assertThat(instance.abandoned).hasValue(1);
        assertThat(instance.state()).isEqualTo(InstanceState.STOPPED);
        assertThat(instance.load()).as("still the same single flight").isSameAs(load);
    }

    @Test
    void aStoppedInstanceCannotLoad() {
        Scripted instance = new Scripted();
        instance.stop();
        assertThat(instance.load()).isCompletedExceptionally();
        assertThat(instance.starts).hasValue(0);
    }
}
