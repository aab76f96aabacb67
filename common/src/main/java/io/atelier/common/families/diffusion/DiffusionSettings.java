package io.atelier.common.families.diffusion;

import io.atelier.common.data.Manifest;
import io.atelier.common.families.TrainingSettings;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Setting;

import java.util.List;

/**
 * Every setting of a diffusion training job, with its default and help, in one place: the command
 * line's flags are generated from it, a JSON config file fills the same record, and the resolved
 * record is written into the run.
 */
public record DiffusionSettings(
        @Setting(value = "Dataset directory (its train split is used).", label = "DATASET") String data,
        @Setting(value = "Run directory to create (or continue with resume).", label = "RUN") String out,
        @Setting(value = "Workers W, one Spark task each.", label = "W") int workers,
        @Setting(value = "Optimizer steps per worker between averagings K.", label = "K") int localSteps,
        @Setting(value = "Rounds to reach R (on resume: the total).", label = "R") int rounds,
        @Setting(value = "Images per step and worker.", label = "B") int batch,
        @Setting(value = "Run seed: the same settings and seed give the same parameters.", label = "S") long seed,
        @Setting("Continue from the latest complete checkpoint.") boolean resume,
        @Setting("Learn each image's caption (its label name when the dataset has none) as a condition; enables label"
                + " and prompt sampling.") boolean conditional,
        @Setting(value = "Probability of dropping the condition in training (classifier-free guidance).", label = "P")
        double condDrop,
        @Setting(value = "Caption encoder of a conditional model: a transformer over the caption's tokens with"
                + " cross-attention, or the mean of its word vectors. Default: transformer for captioned datasets, mean"
                + " for label names.", label = "transformer|mean") String textEncoder,
        @Setting(value = "Transformer blocks of the transformer text encoder.", label = "N") int textLayers,
        @Setting(value = "Noise schedule.", label = "linear|cosine") String schedule,
        @Setting(value = "Diffusion steps T.", label = "T") int timesteps,
        @Setting(value = "What the network predicts.", label = "eps|v") String prediction,
        @Setting(value = "U-Net channels at full resolution (later levels double it).", label = "C") int base,
        @Setting("Self-attention at the lowest resolution.") boolean attention,
        @Setting(value = "Adam learning rate after warm-up.", label = "LR") double lr,
        @Setting(value = "Learning-rate warm-up steps.", label = "N") int warmup,
        @Setting(value = "Global gradient-norm cap, 0 for none.", label = "N") double gradClip,
        @Setting(value = "Decay of the weights' moving average that sampling uses.", label = "D") double emaDecay,
        @Setting(value = "Checkpoint every N rounds and after the last.", label = "N") int checkpointEvery,
        @Setting(value = "Newest checkpoints kept, 0 = all.", label = "N") int keepCheckpoints,
        @Setting(value = "Sample grid every N rounds and after the last.", label = "N") int sampleEvery,
        @Setting(value = "Images per sample grid.", label = "N") int sampleCount) implements TrainingSettings {

    /** Defaults sized for a 28x28 U-Net on 2 cores. */
    public static final DiffusionSettings DEFAULTS = new DiffusionSettings(null, null, 2, 10, 30, 64, 42L, false, false,
            0.1, null, 2, "linear", 1000, "eps", 32, true, 5e-4, 200, 1.0, 0.999, 10, 3, 5, 64);

    public DiffusionSettings {
        NoiseSchedule.Kind.parse(schedule);
        DiffusionConfig.Prediction.parse(prediction);
        if (batch < 1) {
            throw new InvalidSettingException("{batch} " + batch + ": use 1 or more");
        }
        if (textEncoder != null) {
            TextEncoder.Kind.parse(textEncoder);
            if (!conditional) {
                throw new InvalidSettingException("{textEncoder} " + textEncoder + ": only a {conditional} model encodes"
                        + " captions; add {conditional} or drop {textEncoder}");
            }
        }
        if (textLayers < 0) {
            throw new InvalidSettingException("{textLayers} " + textLayers + ": use 0 or more");
        }
        if (!(condDrop >= 0 && condDrop < 1)) {
            throw new InvalidSettingException("{condDrop} " + condDrop + ": use a probability in [0, 1)");
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
        if (captions == null) {
            return c.withCaptions(List.of(), condDrop);
        }
        return c.withCaptions(captions.texts(), captions.source(), condDrop).withTextEncoder(textEncoder(captions.source()), textLayers);
    }

    /** The caption encoder asked for, or by default the transformer for captions and the mean for label names. */
    public TextEncoder.Kind textEncoder(DiffusionConfig.CaptionSource source) {
        if (textEncoder != null) {
            return TextEncoder.Kind.parse(textEncoder);
        }
        return source == DiffusionConfig.CaptionSource.CAPTION ? TextEncoder.Kind.TRANSFORMER : TextEncoder.Kind.MEAN;
    }
}
