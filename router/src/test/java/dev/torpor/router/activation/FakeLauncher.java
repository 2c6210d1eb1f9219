package dev.torpor.router.activation;

import dev.torpor.function.FunctionInstance;
import dev.torpor.pool.LaunchSpec;
import dev.torpor.pool.Launcher;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Launches {@link FakeInstance}s and remembers them in order. */
final class FakeLauncher implements Launcher {
    final List<FakeInstance> launched = new CopyOnWriteArrayList<>();
    final List<LaunchSpec> specs = new CopyOnWriteArrayList<>();
    private final Clock clock;

    FakeLauncher(Clock clock) {
        this.clock = clock;
    }

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public FunctionInstance launch(LaunchSpec spec) {
        FakeInstance instance = new FakeInstance(spec.instanceId(), clock.instant());
        specs.add(spec);
        launched.add(instance);
        return instance;
    }

    FakeInstance last() {
        return launched.get(launched.size() - 1);
    }
}
