package io.atelier.common.families.cyclegan;

import io.atelier.common.runs.TrainingState;

/**
 * Both generators of an in-memory training state (between rounds, not from a checkpoint), copied
 * out of it, as the translation scorer ships them to executors.
 */
public record CycleGanStateTranslator(CycleGanConfig config, float[] gWeights, float[] fWeights)
        implements CycleGanTranslations.TranslatorSource {

    /** Copies the generators' weights: the state goes on training. */
    public static CycleGanStateTranslator of(CycleGanConfig config, TrainingState state) {
        CycleGanTrainer.checkState(config, state);
        return new CycleGanStateTranslator(config, state.get(CycleGanTrainer.G_PARAMS).clone(),
                state.get(CycleGanTrainer.F_PARAMS).clone());
    }

    @Override
    public CycleGanTranslator translator(int maxRows) {
        CycleGanTranslator t = new CycleGanTranslator(config, maxRows);
        t.load(gWeights, fWeights);
        return t;
    }
}
