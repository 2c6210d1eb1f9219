package dev.torpor.function.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.RunOptions;
import dev.torpor.error.EngineFailure;
import dev.torpor.error.RequestCancelled;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.OutputLimit;
import dev.torpor.function.RunControl;
import dev.torpor.function.Session;
import dev.torpor.function.SessionChecks;
import dev.torpor.function.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A model loaded in ONNX Runtime. Runs may overlap (an {@link OrtSession} is safe for concurrent runs);
 * each run creates and frees its own native input tensors, outputs and {@link RunOptions}, so nothing
 * native outlives a run but the session itself, which {@link #close()} frees.
 */
public final class OnnxSession implements Session {
    private static final System.Logger LOG = System.getLogger(OnnxSession.class.getName());

    private final OrtEnvironment env;
    private final OrtSession session;
    private final String label;
    private final List<String> inputNames;
    private final List<String> outputNames;
    private final long maxOutputBytes;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** @param maxOutputBytes what one run's outputs may take in Java arrays ({@link OutputLimit}) */
    OnnxSession(OrtEnvironment env, OrtSession session, String label, long maxOutputBytes) {
        this.env = env;
        this.maxOutputBytes = maxOutputBytes;
        this.session = session;
        this.label = label;
        this.inputNames = List.copyOf(session.getInputNames());
        this.outputNames = List.copyOf(session.getOutputNames());
    }

    /** The model's outputs, in the order the model declares them. */
    public List<String> outputNames() {
        return outputNames;
    }

    @Override
    public List<Tensor> run(InferenceRequest request, RunControl control) {
        if (closed.get()) {
            throw new EngineFailure("the ONNX Runtime session for " + label + " is closed");
        }
        SessionChecks.checkInputs(request, inputNames);
        List<String> wanted = SessionChecks.wantedOutputs(request, outputNames);
        if (control.isCancelled()) {
            throw new RequestCancelled("cancelled before ONNX Runtime started");
        }
        Map<String, OnnxTensor> inputs = new LinkedHashMap<>();
        Terminator terminator = null;
        OrtSession.Result result = null;
        try {
            terminator = new Terminator(new RunOptions());
            control.onCancel(terminator);
            for (Tensor tensor : request.inputs()) {
                inputs.put(tensor.name(), OnnxTensors.toOnnx(env, tensor));
            }
            result = session.run(inputs, new LinkedHashSet<>(wanted), terminator.options);
            // Every output is sized from its native tensor info before any is copied into the heap.
            List<OnnxTensor> tensors = new ArrayList<>(wanted.size());
            OutputLimit limit = new OutputLimit(maxOutputBytes);
            for (String name : wanted) {
                OnnxValue value = result.get(name).orElseThrow(
                        () -> new EngineFailure("ONNX Runtime returned no output '" + name + "'"));
                if (!(value instanceof OnnxTensor tensor)) {
                    throw new EngineFailure("output '" + name + "' is not a tensor");
                }
                OnnxTensors.reserve(limit, name, tensor);
                tensors.add(tensor);
            }
            List<Tensor> outputs = new ArrayList<>(wanted.size());
            for (int i = 0; i < wanted.size(); i++) {
                outputs.add(OnnxTensors.fromOnnx(wanted.get(i), tensors.get(i), limit));
            }
            return outputs;
        } catch (OrtException e) {
            if (control.isCancelled()) {
                throw new RequestCancelled("cancelled while ONNX Runtime ran: " + OrtErrors.message(e), e);
            }
            throw OrtErrors.ofRun(e);
        } finally {
            // Native memory is not the garbage collector's: free every input, output and the run options.
            if (result != null) {
                result.close();
            }
            inputs.values().forEach(OnnxTensor::close);
            if (terminator != null) {
                terminator.close();
            }
        }
    }

    /** ORT notices a missing input only inside the node that needs it, with a confusing message; check first. */


    /** Frees the session's native memory. Harmless to call again. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                session.close();
            } catch (OrtException e) {
                LOG.log(System.Logger.Level.WARNING, "closing the ONNX Runtime session for " + label + " failed", e);
            }
        }
    }

    /**
     * Sets ORT's terminate flag when the client goes away. {@link RunControl} keeps its actions until it is
     * cancelled, possibly after the run has ended and its options are freed: the lock and the flag make a
     * late cancel a no-op instead of a call on freed native memory.
     */
    private static final class Terminator implements Runnable {
        private final RunOptions options;
        private boolean closed;

        Terminator(RunOptions options) {
            this.options = options;
        }

        @Override
        public synchronized void run() {
            if (closed) {
                return;
            }
            try {
                options.setTerminate(true);
            } catch (OrtException e) {
                LOG.log(System.Logger.Level.WARNING, "could not stop an ONNX Runtime run", e);
            }
        }

        synchronized void close() {
            closed = true;
            options.close();
        }
    }
}
