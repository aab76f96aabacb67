package io.atelier.common.families.diffusion;

import io.atelier.common.data.Manifest;

import io.atelier.common.families.TrainingSettings;
import java.util.List;

/**
 * Every setting of a diffusion training job, with its default, in one place: the CLI's flags and
 * a JSON config file fill the same record, and the resolved record is written into the run.
 *
 * @param data            dataset directory (the train split is used)
 * @param out             run directory to create (or continue, with resume)
 * @param workers         data-parallel workers W (one Spark task each)
 * @param localSteps      optimizer steps per worker between averagings K
 * @param rounds          rounds to reach R (on resume: the total)
 * @param batch           images per step and worker
 * @param seed            run seed: the same settings and seed give the same parameters
 * @param resume          continue from the latest complete checkpoint
 * @param conditional     learn a condition from each image's caption (its label name when the dataset has no captions)
 * @param condDrop        probability of dropping the condition (classifier-free guidance)
 * @param schedule        noise schedule: linear or cosine
 * @param timesteps       T
 * @param prediction      what the network predicts: eps or v
 * @param base            channels of the U-Net's first level (later levels double it)
 * @param attention       self-attention at the lowest resolution
 * @param lr              Adam learning rate after warm-up
 * @param warmup          learning-rate warm-up steps
 * @param gradClip        global gradient-norm cap, 0 for none
 * @param emaDecay        decay of the weights' moving average used for sampling
 * @param checkpointEvery checkpoint every N rounds (and after the last)
 * @param keepCheckpoints newest checkpoints kept; 0 keeps all
 * @param sampleEvery     sample grid every N rounds (and after the last)
 * @param sampleCount     images per sample grid
 */
public record DiffusionSettings(String data, String out, int workers, int localSteps, int rounds, int batch, long seed,
                                boolean resume, boolean conditional, double condDrop, String schedule, int timesteps,
                                String prediction, int base, boolean attention, double lr, int warmup, double gradClip,
                                double emaDecay, int checkpointEvery, int keepCheckpoints, int sampleEvery,
                                int sampleCount) implements TrainingSettings {

    /** Defaults sized for a 28x28 U-Net on 2 cores. */
    public static final DiffusionSettings DEFAULTS = new DiffusionSettings(null, null, 2, 10, 30, 64, 42L, false, false,
            0.1, "linear", 1000, "eps", 32, true, 5e-4, 200, 1.0, 0.999, 10, 3, 5, 64);

    public DiffusionSettings {
        NoiseSchedule.Kind.parse(schedule);
        DiffusionConfig.Prediction.parse(prediction);
        if (batch < 1) {
            throw new IllegalArgumentException("--batch " + batch + ": use 1 or more");
        }
        if (!(condDrop >= 0 && condDrop < 1)) {
            throw new IllegalArgumentException("--cond-drop " + condDrop + ": use a probability in [0, 1)");
        }
    }


    /**
     * The model config for a dataset: geometry from its manifest, the captions given (null when
     * unconditional), the rest from here.
     */
    public DiffusionConfig model(Manifest manifest, ConditionCaptions captions) {
        DiffusionConfig c = DiffusionConfig.forManifest(manifest);
        List<Integer> mults = c.mults();
        c = c.withNetwork(base, mults, attention, Math.min(8, base))
                .withProcess(timesteps, NoiseSchedule.Kind.parse(schedule), DiffusionConfig.Prediction.parse(prediction))
                .withOptimizer(lr, warmup, gradClip, emaDecay, batch);
        return captions == null ? c.withCaptions(List.of(), condDrop) : c.withCaptions(captions.texts(), captions.source(), condDrop);
    }
}
