package dev.torpor.function.djl;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.zoo.ZooModel;
import dev.torpor.error.EngineFailure;
import dev.torpor.error.RequestCancelled;
import dev.torpor.error.TorporException;
import dev.torpor.function.InferenceRequest;
import dev.torpor.function.OutputLimit;
import dev.torpor.function.RunControl;
import dev.torpor.function.Session;
import dev.torpor.function.SessionChecks;
import dev.torpor.function.Tensor;
import dev.torpor.store.Signature;
import dev.torpor.store.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A model loaded through DJL.
 *
 * <p><b>Threads.</b> DJL's {@link Predictor} is not thread-safe, the model is. Runs borrow a predictor from a
 * small pool and give it back after the run, so concurrent runs never share one; the pool grows to the most
 * runs that ever overlapped (the instance's {@code concurrencyPerInstance}), and predictors are cheap (a Java
 * object and an empty NDManager). A pool is used rather than a ThreadLocal so that {@link #close()} can reach
 * and close every predictor.
 *
 * <p><b>Native memory.</b> Each run creates its inputs in its own NDManager (a child of the model's), the engine
 * attaches the outputs to it, and the outputs are copied into Java arrays before the manager is closed in a
 * finally block: nothing native outlives a run. {@link #close()} closes the predictors and the model, whose
 * NDManager owns the engine's module and parameters: that is what frees PyTorch's native memory on scale to zero.
 *
 * <p><b>Inputs and outputs.</b> Inputs are handed to the engine in the declared order of the model's signature
 * (PyTorch takes them by position; ONNX Runtime also by name, which each NDArray carries). Outputs are named by
 * declared order. PyTorch cannot stop a running forward, so a cancelled request is refused before it starts and
 * otherwise runs to its end.
 */
final class DjlSession implements Session {
    private final ZooModel<NDList, NDList> model;
    private final Signature signature;
    private final String label;
    private final List<String> inputNames;
    private final List<String> outputNames;
    private final ConcurrentLinkedQueue<Predictor<NDList, NDList>> idle = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Predictor<NDList, NDList>> all = new ConcurrentLinkedQueue<>();
    private final long maxOutputBytes;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** @param maxOutputBytes what one run's outputs may take in Java arrays ({@link OutputLimit}) */
    DjlSession(ZooModel<NDList, NDList> model, Signature signature, String label, long maxOutputBytes) {
        this.model = model;
        this.maxOutputBytes = maxOutputBytes;
        this.signature = signature;
        this.label = label;
        this.inputNames = signature.inputs().stream().map(TensorSpec::name).toList();
        this.outputNames = signature.outputs().stream().map(TensorSpec::name).toList();
    }

    @Override
    public List<Tensor> run(InferenceRequest request, RunControl control) {
        if (closed.get()) {
            throw new EngineFailure("the DJL model for " + label + " is closed");
        }
        SessionChecks.checkInputs(request, inputNames);
        List<String> wanted = SessionChecks.wantedOutputs(request, outputNames);
        if (control.isCancelled()) {
            throw new RequestCancelled("cancelled before DJL started");
        }
        Predictor<NDList, NDList> predictor = borrow();
        try (NDManager manager = model.getNDManager().newSubManager()) {
            NDList inputs = new NDList(inputNames.size());
            for (String name : inputNames) {
                inputs.add(DjlTensors.toNd(manager, request.input(name).orElseThrow()));
            }
            NDList outputs = predictor.predict(inputs);
            if (outputs.size() != outputNames.size()) {
                throw new EngineFailure("DJL returned " + outputs.size() + " outputs for " + label + ", its signature has "
                        + outputNames.size());
            }
            // Every wanted output is sized from its shape before any is copied into the heap.
            OutputLimit limit = new OutputLimit(maxOutputBytes);
            for (int i = 0; i < outputNames.size(); i++) {
                if (wanted.contains(outputNames.get(i))) {
                    DjlTensors.reserve(limit, outputNames.get(i), outputs.get(i));
                }
            }
            List<Tensor> result = new ArrayList<>(wanted.size());
            for (int i = 0; i < outputNames.size(); i++) {
                if (wanted.contains(outputNames.get(i))) {
                    result.add(DjlTensors.fromNd(outputNames.get(i), outputs.get(i)));
                }
            }
            // Outputs an engine attached elsewhere than the run's manager are freed here all the same.
            outputs.close();
            return result;
        } catch (TorporException known) {
            throw known;
        } catch (Exception | LinkageError failed) {
            throw DjlErrors.ofRun(failed);
        } finally {
            idle.add(predictor);
        }
    }

    private Predictor<NDList, NDList> borrow() {
        Predictor<NDList, NDList> predictor = idle.poll();
        if (predictor == null) {
            predictor = model.newPredictor();
            all.add(predictor);
        }
        return predictor;
    }



    /** The signature the session serves. */
    Signature signature() {
        return signature;
    }

    /** The model's NDManager, which owns the engine's native state; tests check that close closes it. */
    NDManager modelManagerForTests() {
        return model.getNDManager();
    }

    /** Closes every predictor and the model, freeing the engine's native memory. Harmless to call again. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            all.forEach(Predictor::close);
            all.clear();
            idle.clear();
            model.close();
        }
    }
}
