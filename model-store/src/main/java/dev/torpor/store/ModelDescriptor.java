package dev.torpor.store;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a publisher declares in an archive's {@code model.json}: the format and engine, the entry-point
 * file, and the signature where the engine cannot introspect it (TorchScript). {@code signature} may be
 * null for formats whose engine reads it from the model. {@code configJson} is the raw {@code config}
 * object, if any, left for the router to validate and apply.
 *
 * @param block          for a DJL-format model stored as {@code .params}: the name of the block (network
 *                       architecture) in the backend's registry that the parameters belong to; else null
 * @param blockArguments the block's arguments as JSON values (numbers, strings, booleans, lists of them),
 *                       empty when none; interpreted by the block registry, not by the store
 */
public record ModelDescriptor(ModelFormat format, String engine, String file, Signature signature,
                              String configJson, String block, Map<String, Object> blockArguments) {

    public ModelDescriptor {
        blockArguments = blockArguments == null ? Map.of() : java.util.Collections.unmodifiableMap(
                new java.util.LinkedHashMap<>(blockArguments));
    }

    /** A descriptor without a block, as every format but DJL's {@code .params} has. */
    public ModelDescriptor(ModelFormat format, String engine, String file, Signature signature, String configJson) {
        this(format, engine, file, signature, configJson, null, Map.of());
    }

    /**
     * Reads and checks the {@code model.json} at the root of an unpacked archive, as the store did at publish.
     * A backend calls it at load to learn what the manifest does not record (a DJL model's block).
     *
     * @param archiveRoot the directory that holds {@code model.json} (a version's directory in the store)
     * @throws dev.torpor.error.BadRequest when model.json is missing or invalid
     */
    public static ModelDescriptor read(Path archiveRoot) {
        return DescriptorParser.parse(archiveRoot);
    }
}
