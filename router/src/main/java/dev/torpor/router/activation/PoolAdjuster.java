package dev.torpor.router.activation;

import dev.torpor.pool.PoolLimits;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/**
 * The activator's side of {@link PoolControl}: runs a pass under the pool's lock through its {@link Placer},
 * collecting what to stop and what to start, and hands both to its {@link Completions} once the lock is
 * released.
 *
 * <p>Thread-safe: each pass has its own {@link Pass}, used only by the thread that runs it.
 */
final class PoolAdjuster implements PoolControl {
    private final PoolBook book;
    private final Placer placer;
    private final Completions completions;

    PoolAdjuster(PoolBook book, Placer placer, Completions completions) {
        this.book = book;
        this.placer = placer;
        this.completions = completions;
    }

    @Override
    public <T> T adjust(Function<Changes, T> decide) {
        Pass pass = new Pass();
        T result;
        synchronized (book.lock) {
            result = decide.apply(pass);
        }
        pass.stopNow.forEach(completions::stop);
        pass.actions.forEach(Runnable::run);
        return result;
    }

    /** One pass's view of the pool and what it decided; every method asserts the lock. */
    private final class Pass implements Changes {
        private final List<InstanceSlot> stopNow = new ArrayList<>();
        private final List<Runnable> actions = new ArrayList<>();

        @Override
        public Collection<ModelGate> gates() {
            return book.gates();
        }

        @Override
        public boolean isShuttingDown() {
            return book.isShuttingDown();
        }

        @Override
        public PoolLimits limits() {
            return book.limits();
        }

        @Override
        public void drain(ModelGate gate, InstanceSlot slot) {
            if (placer.drain(gate, slot)) {
                stopNow.add(slot);
            }
        }

        @Override
        public boolean place(ModelGate gate) {
            Placer.Step step = placer.place(gate);
            actions.add(completions.carryOut(step));
            return step.launched() != null;
        }
    }
}
