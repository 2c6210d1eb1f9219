package dev.torpor.function.djl;

import ai.djl.ndarray.NDList;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;

/**
 * The raw-tensor translator: NDList in, NDList out, untouched. Torpor converts tensors itself (in the run's own
 * NDManager, by name and declared order), so the translator only has to stay out of the way. The engines attach
 * their outputs to the inputs' manager, so the outputs outlive the predictor's context and are freed with the
 * run's manager. Stateless and thread-safe.
 */
final class RawTensorTranslator implements NoBatchifyTranslator<NDList, NDList> {
    static final RawTensorTranslator INSTANCE = new RawTensorTranslator();

    @Override
    public NDList processInput(TranslatorContext ctx, NDList input) {
        return input;
    }

    @Override
    public NDList processOutput(TranslatorContext ctx, NDList list) {
        return list;
    }
}
