package dev.torpor.function.host;

import ai.onnxruntime.OrtEnvironment;
import dev.torpor.error.EngineFailure;
import dev.torpor.error.ModelLoadFailed;
import dev.torpor.function.Backend;
import dev.torpor.function.BackendRegistry;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.LocalFunctionInstance;
import dev.torpor.function.OrtEnvironments;
import dev.torpor.function.RunControl;
import dev.torpor.function.djl.DjlBackend;
import dev.torpor.function.djl.DjlEnvironment;
import dev.torpor.function.onnx.CpuFingerprint;
import dev.torpor.function.onnx.OnnxBackend;
import dev.torpor.function.onnx.OrtModelCache;
import dev.torpor.store.ModelFormat;
import dev.torpor.store.ModelManifest;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The main of a function process: one model from the store, served to the router with the binary
 * {@link Frame} protocol ({@link Wire}) over a Unix domain socket (a child process of the router) or TCP (a
 * pod). It starts model-less (so a warm pool can start it ahead of demand), initializes ONNX Runtime at once
 * (through DJL's engine when started with {@link #ORT_THROUGH_DJL}), connects to the router and says
 * {@code HELLO}; then it loads the one model a {@code LOAD} names into a {@link LocalFunctionInstance} and
 * answers {@code INFER}s on it, reporting each run's compute time. The instance owns the lifecycle; this
 * class only translates frames.
 *
 * <p>It exits when the router says {@code STOP}, when the socket closes, or when its standard input reaches
 * end of file: the router holds the other end of that pipe, so even a router killed with SIGKILL leaves
 * no function process behind.
 *
 * <p>With {@link #LISTEN} (a pod) it does not connect: it listens on TCP {@code $POD_IP:9000} ({@code 0.0.0.0}
 * without {@code POD_IP}; the port from {@code TORPOR_FUNCTION_PORT} when set) for its whole life, and the
 * first connection that presents the token of {@code TORPOR_FUNCTION_TOKEN} is the router's ({@link RouterAcceptor}:
 * probes, wrong tokens and a second router are turned away); it says {@code HELLO} on it, and exits when it
 * ends. Such a host does not share the router's file system: the router sends the model's files over the
 * connection ({@code FILE_OFFER}/{@code FILE_CHUNK}), which it keeps sha256-checked in {@link ReceivedFiles}
 * under {@code TORPOR_FUNCTION_FILES} (default {@code <java.io.tmpdir>/torpor-files}), and the LOAD names them.
 *
 * <p>Usage: {@code FunctionHost [--warm-up] [--ort-through-djl] <socket path> | tcp:<host>:<port> | --listen}.
 * Logs go to standard error, which the router captures.
 */
public final class FunctionHost {
    private static final System.Logger LOG = System.getLogger(FunctionHost.class.getName());
    /** Requests are bounded by the router (TORPOR_MAX_REQUEST_MB ≤ 2047); frames can't be larger anyway. */
    private static final int MAX_FRAME = Integer.MAX_VALUE - 64;
    /** The option that makes a (pooled) process warm its load path up before it says HELLO: see {@link WarmUp}. */
    public static final String WARM_UP = "--warm-up";
    /** The option of the class-data archive's training run: warm up without a router, then exit normally. */
    public static final String TRAIN_CDS = "--train-cds";
    /** The option of a process for a model DJL runs on ONNX Runtime: see {@link #optionsFor}. */
    public static final String ORT_THROUGH_DJL = "--ort-through-djl";
    /** The option of a host that listens for its router instead of connecting (a pod). */
    public static final String LISTEN = "--listen";
    /** The port a listening host uses unless {@code TORPOR_FUNCTION_PORT} says otherwise. */
    public static final int DEFAULT_PORT = 9000;

    private final FrameChannel channel;
    private final OrtEnvironment env;
    private final Map<Long, RunControl> running = new ConcurrentHashMap<>();
    private final ReceivedFiles files;
    /** The one instance this host serves, once a LOAD named it. */
    private volatile LocalFunctionInstance instance;
    private volatile String instanceId = "(warm)";

    private FunctionHost(FrameChannel channel, OrtEnvironment env, ReceivedFiles files) {
        this.channel = channel;
        this.env = env;
        this.files = files;
    }

    public static void main(String[] args) throws Exception {
        long mainAt = System.nanoTime();
        if (args.length == 1 && TRAIN_CDS.equals(args[0])) {
            train();
            return;
        }
        boolean listen = args.length > 0 && LISTEN.equals(args[args.length - 1]);
        List<String> options = List.of(args).subList(0, Math.max(0, args.length - 1));
        if (args.length == 0 || !List.of(WARM_UP, ORT_THROUGH_DJL).containsAll(options)) {
            System.err.println("usage: FunctionHost [" + WARM_UP + "] [" + ORT_THROUGH_DJL
                    + "] <socket path> | tcp:<host>:<port> | " + LISTEN);
            System.exit(2);
        }
        boolean warmUp = options.contains(WARM_UP);
        if (!listen) {
            watchParent(); // a pod's standard input is not the router's
        }
        long ortBegin = System.nanoTime();
        OrtEnvironment env = options.contains(ORT_THROUGH_DJL) ? environmentThroughDjl() : OrtEnvironment.getEnvironment();
        long ortInit = System.nanoTime() - ortBegin;
        // A pooled process warms up before HELLO, so that the pool only ever hands out warm processes; a
        // process started for a waiting request skips it (its load would wait for it) and preloads classes.
        // A listening host opens its port only after that, so that a readiness probe finds it warm.
        long warmUpNanos = warmUp ? WarmUp.run(env) + (listen ? WarmUp.receiving() : 0) : 0;
        FrameChannel channel = listen ? RouterAcceptor.fromEnvironment(MAX_FRAME) : connect(args[args.length - 1]);
        channel.write(Wire.hello(new Wire.Hello(ProcessHandle.current().pid(), env.getVersion(), ortInit, warmUpNanos,
                System.nanoTime() - mainAt, CpuFingerprint.current())));
        if (!warmUp) {
            preload();
        }
        new FunctionHost(channel, env, new ReceivedFiles(filesDir())).serve();
    }

    private static FrameChannel connect(String where) throws IOException {
        SocketAddress router = address(where);
        SocketChannel socket = SocketChannel.open(router);
        if (router instanceof InetSocketAddress) {
            socket.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true); // frames are whole messages
        }
        return new FrameChannel(socket, MAX_FRAME);
    }

    /** The host's own directory for model files received over its connection. */
    private static Path filesDir() {
        String dir = System.getenv("TORPOR_FUNCTION_FILES");
        return dir != null && !dir.isBlank() ? Path.of(dir)
                : Path.of(System.getProperty("java.io.tmpdir"), "torpor-files");
    }

    /**
     * The class-data archive's training run ({@code -XX:ArchiveClassesAtExit}): loads what a function process
     * loads to start, warm up and load a model, and exits normally so that the JVM dumps the archive.
     */
    private static void train() throws IOException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        WarmUp.runOrThrow(env);
        try (SocketChannel unix = SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            UnixDomainSocketAddress.of(Path.of("unused.sock"));
            new FrameChannel(unix, MAX_FRAME);
        }
        preloadNow();
        System.err.println("function host: class-data archive training done");
        System.exit(0);
    }

    /**
     * ONNX Runtime's one environment, created by DJL's ONNX Runtime engine: DJL insists on creating it with
     * threading options, which ORT refuses once an environment exists, so a model that DJL runs on ONNX
     * Runtime loads only in a process started this way. Not the default: DJL's engine registry costs a
     * second or more of start-up (it initializes the process's logging), which other models need not pay.
     */
    private static OrtEnvironment environmentThroughDjl() {
        DjlEnvironment.prepare(Path.of(System.getProperty("java.io.tmpdir")));
        return OrtEnvironments.shared();
    }

    /**
     * The options a function process needs to serve {@code manifest}: {@link #ORT_THROUGH_DJL} for an ONNX
     * model in an archive for DJL, none otherwise. A process started without them (a pooled one) cannot
     * serve a model that needs them.
     */
    public static List<String> optionsFor(ModelManifest manifest) {
        return manifest.format() == ModelFormat.DJL && DjlBackend.ONNX_RUNTIME.equalsIgnoreCase(manifest.engine())
                ? List.of(ORT_THROUGH_DJL) : List.of();
    }

    /** Where the router listens: {@code tcp:<host>:<port>}, or else the path of a Unix domain socket. */
    static SocketAddress address(String where) {
        if (where.startsWith("tcp:")) {
            int colon = where.lastIndexOf(':');
            return new InetSocketAddress(where.substring(4, colon), Integer.parseInt(where.substring(colon + 1)));
        }
        return UnixDomainSocketAddress.of(Path.of(where));
    }

    /** Exits when standard input ends: the router (our parent) is gone, however it died. */
    private static void watchParent() {
        Thread watcher = new Thread(() -> {
            InputStream in = System.in;
            byte[] sink = new byte[256];
            try {
                while (in.read(sink) >= 0) {
                    // the router never writes; anything read is ignored
                }
            } catch (IOException ignored) {
                // a broken pipe means the same as end of file
            }
            System.err.println("function host: the router is gone, exiting");
            Runtime.getRuntime().halt(3);
        }, "parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private void serve() {
        try {
            while (true) {
                Frame frame = channel.read();
                switch (frame.type()) {
                    case Frame.LOAD -> startLoad(frame.payload());
                    case Frame.INFER -> submit(frame.id(), frame.payload());
                    case Frame.CANCEL -> {
                        RunControl control = running.get(frame.id());
                        if (control != null) {
                            control.cancel();
                        }
                    }
                    case Frame.FILE_OFFER -> reply(files.answerOffer(frame.id(), Wire.fileOffer(frame.payload())));
                    case Frame.FILE_CHUNK -> {
                        ByteBuffer stored = files.answerChunk(frame.id(), Wire.fileChunk(frame.payload()));
                        if (stored != null) {
                            reply(stored);
                        }
                    }
                    case Frame.PING -> channel.write(Frame.PONG, frame.id());
                    case Frame.STOP -> {
                        stop();
                        return;
                    }
                    default -> throw new IOException("unexpected frame type " + frame.type());
                }
            }
        } catch (IOException | RuntimeException gone) {
            files.abandon();
            System.err.println("function host " + instanceId + ": connection ended: " + gone.getMessage());
            Runtime.getRuntime().halt(4);
        }
    }

    private void startLoad(ByteBuffer payload) {
        Wire.Load load = Wire.load(payload);
        instanceId = load.instanceId();
        Thread loader = new Thread(() -> load(load), "loader");
        loader.setDaemon(true);
        loader.start();
    }

    private void load(Wire.Load load) {
        try {
            if (instance != null) {
                throw new ModelLoadFailed("this function process has already loaded a model", null);
            }
            ModelManifest manifest = load.manifest();
            OrtModelCache cache = load.cacheDir() == null || load.cacheDir().isEmpty() ? null
                    : new OrtModelCache(Path.of(load.cacheDir()));
            Backend backend = new BackendRegistry(List.of(new OnnxBackend(env, cache), djl()))
                    .forModel(manifest.format(), manifest.engine());
            LocalFunctionInstance loading = new LocalFunctionInstance(instanceId, manifest, load.artifact(), backend,
                    load.options(), load.concurrency(), load.batching(), Clock.systemUTC());
            instance = loading;
            loading.load().whenComplete((took, failure) ->
                    reply(failure == null ? Wire.loaded(took.toNanos()) : Wire.error(0, unwrap(failure))));
        } catch (RuntimeException | LinkageError failure) {
            LOG.log(System.Logger.Level.WARNING, "instance {0} failed to load: {1}", instanceId, failure.toString());
            reply(Wire.error(0, failure instanceof ModelLoadFailed ? failure
                    : new ModelLoadFailed("model failed to load: " + failure.getMessage(), null)));
        }
    }

    /**
     * The DJL backend (TorchScript and DJL-format models), offline and on the DJL cache the launcher names
     * with {@code -DDJL_CACHE_DIR} (the router's, where PyTorch is already unpacked); without one, a cache
     * under the process's private temp dir.
     */
    private static Backend djl() {
        DjlEnvironment.prepare(Path.of(System.getProperty("java.io.tmpdir")));
        return new DjlBackend();
    }

    /**
     * Loads and initializes the classes every load and run needs while the process waits in the pool, so
     * that a cold start pays for the model only.
     */
    private static void preload() {
        Thread preloader = new Thread(FunctionHost::preloadNow, "preload");
        preloader.setDaemon(true);
        preloader.setPriority(Thread.MIN_PRIORITY);
        preloader.start();
    }

    private static void preloadNow() {
        {
            for (String name : List.of("dev.torpor.function.onnx.OnnxBackend", "dev.torpor.function.onnx.OnnxSession",
                    "dev.torpor.function.onnx.OnnxTensors", "dev.torpor.function.onnx.OnnxTypes",
                    "dev.torpor.function.onnx.OrtErrors", "dev.torpor.function.onnx.OrtModelCache",
                    "dev.torpor.function.BackendRegistry", "dev.torpor.function.RunControl",
                    "dev.torpor.function.InferenceRequest", "dev.torpor.function.Tensor",
                    "dev.torpor.store.ModelManifest", "dev.torpor.store.Signature", "dev.torpor.store.ModelFormat",
                    "ai.onnxruntime.OrtSession", "ai.onnxruntime.OrtSession$SessionOptions",
                    "ai.onnxruntime.OrtSession$RunOptions", "ai.onnxruntime.OrtSession$Result",
                    "ai.onnxruntime.OnnxTensor", "ai.onnxruntime.TensorInfo", "ai.onnxruntime.NodeInfo",
                    "java.security.MessageDigest", "java.util.HexFormat")) {
                try {
                    Class.forName(name, true, FunctionHost.class.getClassLoader());
                } catch (ClassNotFoundException | LinkageError ignored) {
                    // only a head start
                }
            }
            try {
                java.security.MessageDigest.getInstance("SHA-256").digest(new byte[1]);
            } catch (java.security.NoSuchAlgorithmException ignored) {
                // only a head start
            }
        }
    }

    private void submit(long id, ByteBuffer payload) {
        LocalFunctionInstance ready = instance;
        if (ready == null) {
            reply(Wire.error(id, new EngineFailure("no model is loaded in this process")));
            return;
        }
        InferenceRequest request = Wire.request(payload);
        RunControl control = new RunControl();
        running.put(id, control);
        ready.infer(request, control).whenComplete((outcome, failure) -> {
            running.remove(id);
            reply(failure == null ? Wire.result(id, outcome.outputs(), outcome.computeNanos(), outcome.batchSize())
                    : Wire.error(id, unwrap(failure)));
        });
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }

    private void reply(ByteBuffer reply) {
        try {
            channel.write(reply);
        } catch (IOException gone) {
            Runtime.getRuntime().halt(4);
        }
    }

    /** Lets the instance finish its runs and close its session, then exits. */
    private void stop() {
        LocalFunctionInstance served = instance;
        if (served != null) {
            served.stop();
        }
        System.err.println("function host " + instanceId + ": stopped");
        Runtime.getRuntime().halt(0);
    }
}
