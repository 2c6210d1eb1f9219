package dev.torpor.function.djl;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ZooModel;
import dev.torpor.error.BadInput;
import dev.torpor.error.BadRequest;
import dev.torpor.error.ModelLoadFailed;
import dev.torpor.error.TorporException;
import dev.torpor.function.Backend;
import dev.torpor.function.RuntimeOptions;
import dev.torpor.function.Session;
import dev.torpor.function.onnx.OnnxBackend;
import dev.torpor.store.DataType;
import dev.torpor.store.ModelDescriptor;
import dev.torpor.store.ModelFormat;
import dev.torpor.store.ModelManifest;
import dev.torpor.store.Signature;
import dev.torpor.store.TensorSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves models through Deep Java Library, on the engine a model's {@code model.json} names:
 * <ul>
 *   <li>{@code "format": "torchscript"} (engine {@code PyTorch}, the default): a TorchScript file;</li>
 *   <li>{@code "format": "djl", "engine": "PyTorch"} (the default engine) with a {@code block}: DJL's own
 *       {@code <name>-NNNN.params}, loaded into a block rebuilt from {@link DjlBlocks}; without a block, a
 *       TorchScript file;</li>
 *   <li>{@code "format": "djl", "engine": "OnnxRuntime"}: an {@code .onnx} file served through DJL.</li>
 * </ul>
 * PyTorch runs on the CPU only (DJL's CUDA build of PyTorch is not served by the package registry).
 *
 * <p>{@link #inspect} opens the model, runs one inference on zero-filled inputs of the declared shapes (each -1
 * taken as 1), checks the outputs against the declaration, and closes everything; any failure is a
 * {@link BadInput} (422) carrying DJL's message. PyTorch cannot introspect a TorchScript model's signature, so
 * its {@code model.json} must declare inputs and outputs (400 otherwise); an ONNX model through DJL may leave
 * them out, and is then described by ONNX Runtime. Stateless and thread-safe.
 */
public final class DjlBackend implements Backend {
    public static final String NAME = "djl";
    /** The engine name {@code model.json} uses for DJL's PyTorch engine. */
    public static final String PYTORCH = "PyTorch";
    /** The engine name {@code model.json} uses for DJL's ONNX Runtime engine. */
    public static final String ONNX_RUNTIME = "OnnxRuntime";
    static final Duration LOAD_RETRY_AFTER = Duration.ofSeconds(10);
    private static final Pattern PARAMS = Pattern.compile("(.+)-(\\d{4})\\.params");

    /** Whether {@code format} with {@code engine} (null: the format's default) is served by DJL's PyTorch. */
    public static boolean usesPyTorch(ModelFormat format, String engine) {
        return (format == ModelFormat.TORCHSCRIPT || format == ModelFormat.DJL)
                && (engine == null || PYTORCH.equals(engine));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean supports(ModelFormat format, String engine) {
        return switch (format) {
            case TORCHSCRIPT -> engine == null || PYTORCH.equals(engine);
            case DJL -> engine == null || PYTORCH.equals(engine) || ONNX_RUNTIME.equals(engine);
            case ONNX -> false;
        };
    }

    @Override
    public Signature inspect(Path artifact, ModelFormat format, ModelDescriptor declared) {
        String engine = declared == null ? null : declared.engine();
        if (!supports(format, engine)) {
            throw new BadInput("the " + NAME + " backend cannot serve a " + format.wireName() + " model"
                    + (engine == null ? "" : " for engine " + engine));
        }
        LoadPlan plan = LoadPlan.of(artifact, format, declared);
        Signature signature = signature(plan, artifact, declared);
        DjlTypes.requireExchangeable(signature);
        requireEngine(plan.engine());
        try (ZooModel<NDList, NDList> model = load(plan, RuntimeOptions.DEFAULT)) {
            zeroRun(model, signature);
        } catch (TorporException refused) {
            throw refused;
        } catch (Exception | LinkageError failed) {
            throw new BadInput(plan.engine() + " (DJL) cannot open the model: "
                    + DjlErrors.message(failed, artifact), failed);
        }
        return signature;
    }

    /**
     * Loads the model; PyTorch models are always on the CPU.
     *
     * @throws ModelLoadFailed with DJL's message when DJL cannot load it
     */
    @Override
    public Session open(ModelManifest manifest, Path artifact, RuntimeOptions options) {
        String label = manifest.name() + "/" + manifest.version();
        if (!supports(manifest.format(), manifest.engine())) {
            throw new IllegalArgumentException("the " + NAME + " backend cannot serve " + label + " ("
                    + manifest.format().wireName() + ", engine " + manifest.engine() + ")");
        }
        try {
            // The manifest does not record a DJL model's block: model.json, kept in the version, does.
            ModelDescriptor declared = manifest.format() == ModelFormat.DJL
                    ? (usesPyTorch(manifest.format(), manifest.engine())
                        ? ModelDescriptor.read(archiveRoot(artifact, manifest.file()))
                        : new ModelDescriptor(manifest.format(), manifest.engine(), manifest.file(), null, null))
                    : null;
            LoadPlan plan = LoadPlan.of(artifact, manifest.format(), declared);
            return new DjlSession(load(plan, options), manifest.signature(), label, options.maxOutputBytes());
        } catch (IOException | RuntimeException | LinkageError
                 | ai.djl.ModelException failed) {
            throw new ModelLoadFailed("DJL cannot load " + label + ": " + DjlErrors.message(failed, artifact),
                    LOAD_RETRY_AFTER, failed);
        }
    }

    /** The directory that holds model.json: the artifact's path with the manifest's relative file removed. */
    private static Path archiveRoot(Path artifact, String file) {
        Path root = artifact;
        for (int i = 0; i < Path.of(file).getNameCount(); i++) {
            root = root.getParent();
        }
        return root;
    }

    private static Signature signature(LoadPlan plan, Path artifact, ModelDescriptor declared) {
        if (declared != null && declared.signature() != null) {
            return declared.signature();
        }
        if (ONNX_RUNTIME.equals(plan.engine())) {
            return new OnnxBackend().inspect(artifact, ModelFormat.ONNX, null);
        }
        throw new BadRequest("model.json: fields 'inputs' and 'outputs' are required for a PyTorch model, "
                + "whose engine cannot read them from the model (give each tensor's name, datatype and shape)");
    }

    /** @throws BadInput when the engine is not in this build or cannot start (DJL's message) */
    private static void requireEngine(String engine) {
        if (!Engine.hasEngine(engine)) {
            throw new BadInput("the " + engine + " engine is not in this build of Torpor (DJL engines present: "
                    + Engine.getAllEngines() + ")");
        }
        try {
            Engine.getEngine(engine);
        } catch (RuntimeException | LinkageError failed) {
            throw new BadInput("DJL cannot start the " + engine + " engine: " + DjlErrors.message(failed, null),
                    failed);
        }
    }

    static ZooModel<NDList, NDList> load(LoadPlan plan, RuntimeOptions options) throws IOException,
            ai.djl.ModelException {
        Criteria.Builder<NDList, NDList> criteria = Criteria.builder()
                .setTypes(NDList.class, NDList.class)
                .optModelPath(plan.modelPath())
                .optEngine(plan.engine())
                .optDevice(Device.cpu())
                .optTranslator(RawTensorTranslator.INSTANCE);
        if (plan.modelName() != null) {
            criteria.optModelName(plan.modelName());
        }
        if (plan.blockName() != null) {
            criteria.optBlock(DjlBlocks.build(plan.blockName(), plan.blockArguments()));
            criteria.optOption("epoch", plan.epoch());
        }
        if (ONNX_RUNTIME.equals(plan.engine())) {
            criteria.optOption("intraOpNumThreads", Integer.toString(options.intraOpThreads()));
            criteria.optOption("interOpNumThreads", Integer.toString(options.interOpThreads()));
        }
        return criteria.build().loadModel();
    }

    /** Runs zero-filled inputs of the declared shapes and checks the outputs against the declaration. */
    private static void zeroRun(ZooModel<NDList, NDList> model, Signature signature) throws Exception {
        try (NDManager manager = model.getNDManager().newSubManager();
             Predictor<NDList, NDList> predictor = model.newPredictor()) {
            NDList inputs = new NDList();
            for (TensorSpec spec : signature.inputs()) {
                inputs.add(DjlTensors.zeros(manager, spec));
            }
            NDList outputs = predictor.predict(inputs);
            if (outputs.size() != signature.outputs().size()) {
                throw new BadInput("the model returned " + outputs.size() + " outputs on zero-filled inputs, "
                        + "model.json declares " + signature.outputs().size());
            }
            for (int i = 0; i < outputs.size(); i++) {
                check(signature.outputs().get(i), outputs.get(i));
            }
        }
    }

    private static void check(TensorSpec declared, NDArray actual) {
        DataType type = DjlTypes.fromDjl(actual.getDataType());
        if (type != declared.datatype()) {
            throw new BadInput("output '" + declared.name() + "': the model returns "
                    + (type == null ? "DJL type " + actual.getDataType() : type) + ", model.json declares "
                    + declared.datatype());
        }
        long[] shape = actual.getShape().getShape();
        if (!declared.accepts(shape)) {
            throw new BadInput("output '" + declared.name() + "': the model returns shape " + Arrays.toString(shape)
                    + " on zero-filled inputs, which does not fit the declared " + Arrays.toString(declared.shape()));
        }
    }

    /**
     * How DJL finds and loads a model.
     *
     * @param modelPath the file (TorchScript, ONNX) or, for {@code .params}, the directory holding it
     * @param modelName the {@code .params} prefix, else null
     */
    record LoadPlan(String engine, Path modelPath, String modelName, String blockName,
                    Map<String, Object> blockArguments, String epoch) {

        /**
         * @throws BadRequest when model.json combines format, engine, file and block in a way DJL cannot load
         * @throws BadInput   when a {@code .params} file is not in DJL's format
         */
        static LoadPlan of(Path artifact, ModelFormat format, ModelDescriptor declared) {
            String engine = declared == null || declared.engine() == null ? PYTORCH : declared.engine();
            String block = declared == null ? null : declared.block();
            String file = artifact.getFileName().toString();
            if (format == ModelFormat.TORCHSCRIPT || ONNX_RUNTIME.equals(engine)) {
                if (block != null) {
                    throw new BadRequest("model.json: field 'block' applies only to a DJL-format .params model "
                            + "on PyTorch, not to a " + format.wireName() + " model on " + engine);
                }
                return new LoadPlan(engine, artifact, null, null, Map.of(), null);
            }
            Matcher params = PARAMS.matcher(file);
            if (block == null) {
                if (file.endsWith(".params")) {
                    throw new BadRequest("model.json: field 'block' is required for a .params model (blocks in "
                            + "this build: " + DjlBlocks.names() + ")");
                }
                return new LoadPlan(engine, artifact, null, null, Map.of(), null);
            }
            if (!params.matches()) {
                throw new BadRequest("model.json: a model with a 'block' is DJL's <name>-NNNN.params file; "
                        + "field 'file' names '" + file + "'");
            }
            requireDjlParams(artifact);
            return new LoadPlan(engine, artifact.getParent(), params.group(1), block, declared.blockArguments(),
                    Integer.toString(Integer.parseInt(params.group(2))));
        }

        /** DJL silently skips a .params file without its magic and serves random weights; refuse it here. */
        private static void requireDjlParams(Path artifact) {
            byte[] magic = new byte[4];
            try (InputStream in = Files.newInputStream(artifact)) {
                if (in.readNBytes(magic, 0, 4) == 4 && "DJL@".equals(new String(magic, StandardCharsets.US_ASCII))) {
                    return;
                }
            } catch (IOException unreadable) {
                throw new BadInput("cannot read " + artifact.getFileName() + ": " + unreadable.getMessage());
            }
            throw new BadInput(artifact.getFileName() + " is not a DJL parameter file (no DJL@ header)");
        }
    }
}
