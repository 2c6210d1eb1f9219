package dev.torpor.function;

import dev.torpor.error.BadInput;
import dev.torpor.store.ModelDescriptor;
import dev.torpor.store.ModelFormat;
import dev.torpor.store.ModelInspector;
import dev.torpor.store.Signature;
import java.nio.file.Path;
import java.util.List;

/**
 * The engines this build can serve with, chosen by a model's format and the engine its {@code model.json}
 * names. Also the store's {@link ModelInspector}: at publish the matching backend inspects the model.
 */
public final class BackendRegistry implements ModelInspector {
    private final List<Backend> backends;

    public BackendRegistry(List<Backend> backends) {
        this.backends = List.copyOf(backends);
    }

    /**
     * The backend for a model.
     *
     * @throws BadInput when no engine of this build serves the format and engine
     */
    public Backend forModel(ModelFormat format, String engine) {
        return backends.stream()
                .filter(backend -> backend.supports(format, engine))
                .findFirst()
                .orElseThrow(() -> new BadInput("no engine in this build serves format '" + format.wireName() + "'"
                        + (engine == null ? "" : " with engine '" + engine + "'")));
    }

    @Override
    public Signature inspect(Path artifact, ModelFormat format, ModelDescriptor declared) {
        String engine = declared == null ? null : declared.engine();
        return forModel(format, engine).inspect(artifact, format, declared);
    }
}
