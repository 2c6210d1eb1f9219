package dev.torpor.function.djl;

import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import dev.torpor.error.BadInput;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The blocks (network architectures) Torpor can rebuild to load a DJL-format {@code .params} model: DJL saves
 * only the parameters, so the code that builds the block must be on the server. A model's {@code model.json}
 * names its block and arguments:
 *
 * <pre>{@code "block": "mlp", "blockArguments": {"hidden": [16, 16], "outputs": 1, "activation": "relu"}}</pre>
 *
 * <p>Blocks shipped:
 * <ul>
 *   <li>{@code mlp}: a multilayer perceptron, {@code Linear(h1) → act → … → Linear(hN) → act → Linear(outputs)}.
 *       Arguments: {@code hidden} (list of positive whole numbers, may be empty), {@code outputs} (positive whole
 *       number), {@code activation} ({@code relu} (default), {@code tanh} or {@code sigmoid}). The input size is
 *       taken from the parameters.</li>
 * </ul>
 * Unknown block names or arguments are refused (422) at publish. Thread-safe: the registry is immutable, and
 * each call builds a new block.
 */
public final class DjlBlocks {
    /** The block name of {@link #mlp}. */
    public static final String MLP = "mlp";

    private static final Map<String, Function<Map<String, Object>, Block>> BLOCKS = Map.of(MLP, DjlBlocks::mlpOf);

    private DjlBlocks() {
    }

    /** The names of the blocks this build can rebuild. */
    public static Set<String> names() {
        return new TreeSet<>(BLOCKS.keySet());
    }

    /**
     * Builds a fresh, uninitialised block.
     *
     * @throws BadInput for an unknown block or invalid arguments, naming them
     */
    public static Block build(String name, Map<String, Object> arguments) {
        Function<Map<String, Object>, Block> factory = BLOCKS.get(name);
        if (factory == null) {
            throw new BadInput("unknown block '" + name + "'; this build knows " + names());
        }
        return factory.apply(arguments == null ? Map.of() : arguments);
    }

    /** The {@code mlp} block, for samples and tests that train one. */
    public static Block mlp(List<Integer> hidden, int outputs, String activation) {
        Function<ai.djl.ndarray.NDList, ai.djl.ndarray.NDList> act = switch (activation) {
            case "relu" -> Activation::relu;
            case "tanh" -> Activation::tanh;
            case "sigmoid" -> Activation::sigmoid;
            default -> throw new BadInput("block 'mlp': activation must be relu, tanh or sigmoid, was '"
                    + activation + "'");
        };
        SequentialBlock block = new SequentialBlock();
        for (int units : hidden) {
            block.add(Linear.builder().setUnits(units).build());
            block.add(act);
        }
        block.add(Linear.builder().setUnits(outputs).build());
        return block;
    }

    /** The arguments of {@code mlp} as {@code model.json} writes them. */
    public static Map<String, Object> mlpArguments(List<Integer> hidden, int outputs, String activation) {
        return Map.of("hidden", List.copyOf(hidden), "outputs", outputs, "activation", activation);
    }

    private static Block mlpOf(Map<String, Object> arguments) {
        for (String key : arguments.keySet()) {
            if (!Set.of("hidden", "outputs", "activation").contains(key)) {
                throw new BadInput("block 'mlp': unknown argument '" + key + "' (expected hidden, outputs, activation)");
            }
        }
        List<Integer> hidden = new ArrayList<>();
        Object hiddenValue = arguments.getOrDefault("hidden", List.of());
        if (!(hiddenValue instanceof List<?> list)) {
            throw new BadInput("block 'mlp': argument 'hidden' must be a list of positive whole numbers");
        }
        for (Object units : list) {
            hidden.add(positive("hidden", units));
        }
        Object outputs = arguments.get("outputs");
        if (outputs == null) {
            throw new BadInput("block 'mlp': argument 'outputs' is required");
        }
        Object activation = arguments.getOrDefault("activation", "relu");
        if (!(activation instanceof String text)) {
            throw new BadInput("block 'mlp': argument 'activation' must be a string");
        }
        return mlp(hidden, positive("outputs", outputs), text);
    }

    private static int positive(String argument, Object value) {
        if (value instanceof Integer number && number > 0) {
            return number;
        }
        throw new BadInput("block 'mlp': argument '" + argument + "' must hold positive whole numbers, got " + value);
    }
}
