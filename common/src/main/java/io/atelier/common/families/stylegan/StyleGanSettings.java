package io.atelier.common.families.stylegan;

import io.atelier.common.data.Manifest;
import io.atelier.common.families.TrainingSettings;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Setting;

/**
 * Every setting of a StyleGAN2 training job, with its default and help, in one place: the command
 * line's flags are generated from it, a JSON config file fills the same record, and the resolved
 * record is written into the run.
 */
public record StyleGanSettings(
        @Setting(value = "Dataset directory (its train split is used).", label = "DATASET") String data,
        @Setting(value = "Run directory to create (or continue with resume).", label = "RUN") String out,
        @Setting(value = "Model family.", label = "NAME") String model,
        @Setting(value = "Workers W, one Spark task each.", label = "W") int workers,
        @Setting(value = "Optimizer steps per worker between averagings K.", label = "K") int localSteps,
        @Setting(value = "Rounds to reach R (on resume: the total).", label = "R") int rounds,
        @Setting(value = "Real images per step and worker (a multiple of 4).", label = "B") int batch,
        @Setting(value = "Run seed: the same settings and seed give the same parameters.", label = "S") long seed,
        @Setting("Continue from the latest complete checkpoint.") boolean resume,
        @Setting(value = "Checkpoint every N rounds and after the last.", label = "N") int checkpointEvery,
        @Setting(value = "Newest checkpoints kept, 0 = all.", label = "N") int keepCheckpoints,
        @Setting(value = "Sample grid every N rounds and after the last.", label = "N") int sampleEvery,
        @Setting(value = "Images per sample grid.", label = "N") int sampleCount,
        @Setting(value = "Adam learning rate of both networks (betas 0 and 0.99).", label = "LR") double lr,
        @Setting(value = "R1 penalty weight on reals, applied every 16 D steps; 0 = off.", label = "G") double r1Gamma,
        @Setting(value = "Path-length penalty weight, applied every 4 G steps on half the batch; 0 = off (NVlabs uses 2).",
                label = "W") double plWeight,
        @Setting(value = "Half-life of the generator's moving average, in thousands of images.", label = "KIMG") double emaKimg,
        @Setting(value = "Probability of style-mixing regularisation.", label = "P") double styleMixing,
        @Setting(value = "Layers of the mapping network.", label = "N") int mappingLayers,
        @Setting(value = "Size of z and w.", label = "N") int latentDim,
        @Setting(value = "Channels of every synthesis and discriminator layer.", label = "N") int channels,
        @Setting(value = "Augmentation of every image D sees: ada (p steered from r_t), fixed (p = {augmentP}) or off.",
                label = "MODE") String augment,
        @Setting(value = "Augmentation probability for fixed; ADA's starting p.", label = "P") double augmentP,
        @Setting(value = "ADA's target for r_t = E[sign(D(real))].", label = "R") double adaTarget,
        @Setting(value = "ADA's speed: thousands of images for p to go from 0 to 1.", label = "KIMG") double adaKimg)
        implements TrainingSettings {

    public static final String MODEL = "stylegan";
    /** NVlabs' lazy R1 interval. */
    public static final int R1_INTERVAL = 16;

    /**
     * NVlabs' optimiser (lr 0.0025, betas 0 and 0.99), style mixing 0.9 and 2 mapping layers (their
     * small-image config); R1 gamma 0.01 (their CIFAR setting); z, w and all layers 64/128 wide
     * instead of 512 so that a step fits two CPU cores; EMA half-life 10 kimg (their auto config's
     * batch x 10 / 32 for a batch of 32); path length off, as NVlabs' small-image (cifar) config turns
     * it off (their other configs use weight 2); ADA on, from p = 0, with NVlabs' target 0.6 and 500 kimg.
     */
    public static final StyleGanSettings DEFAULTS = new StyleGanSettings(null, null, MODEL, 2, 10, 30, 32, 42L, false,
            10, 3, 5, 64, 0.0025, 0.01, 0, 10, 0.9, 2, 128, 64, StyleGanAugment.ADA, 0.0, 0.6, 500);

    public StyleGanSettings {
        if (!MODEL.equals(model)) {
            throw new InvalidSettingException("{model} " + model + ": this record holds stylegan settings");
        }
    }

    /** The model config for a dataset: geometry from its manifest, the rest from here. */
    public StyleGanConfig stylegan(Manifest manifest) {
        if (manifest.height() != manifest.width()) {
            throw new InvalidSettingException("{data} " + data + " holds " + manifest.height() + "x" + manifest.width()
                    + " images; StyleGAN needs square images (re-ingest with {size} 32 or 64)");
        }
        StyleGanArchitecture.requireImageSize(manifest.height());
        return new StyleGanConfig(manifest.height(), manifest.channels(), latentDim, mappingLayers, channels, batch, lr, 0.0,
                0.99, r1Gamma, R1_INTERVAL, styleMixing, emaKimg, workers, new StyleGanAugment(augment, augmentP, adaTarget, adaKimg),
                plWeight);
    }
}
