package io.atelier.common.families.dcgan;

import io.atelier.common.families.TrainingSettings;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Setting;

/**
 * Every setting of a DCGAN training job, with its default and help, in one place: the command
 * line's flags are generated from it, a JSON config file fills the same record, and the resolved
 * record is written into the run.
 */
public record DcganSettings(
        @Setting(value = "Dataset directory (its train split is used).", label = "DATASET") String data,
        @Setting(value = "Run directory to create (or continue with resume).", label = "RUN") String out,
        @Setting(value = "Model family.", label = "NAME") String model,
        @Setting(value = "Workers W, one Spark task each.", label = "W") int workers,
        @Setting(value = "Optimizer steps per worker between averagings K.", label = "K") int localSteps,
        @Setting(value = "Rounds to reach R (on resume: the total).", label = "R") int rounds,
        @Setting(value = "Real images per step and worker.", label = "B") int batch,
        @Setting(value = "Run seed: the same settings and seed give the same parameters.", label = "S") long seed,
        @Setting("Continue from the latest complete checkpoint.") boolean resume,
        @Setting("Class-conditional generator and projection discriminator (needs a labelled dataset).") boolean conditional,
        @Setting(value = "Checkpoint every N rounds and after the last.", label = "N") int checkpointEvery,
        @Setting(value = "Newest checkpoints kept, 0 = all.", label = "N") int keepCheckpoints,
        @Setting(value = "Sample grid every N rounds and after the last.", label = "N") int sampleEvery,
        @Setting(value = "Images per sample grid.", label = "N") int sampleCount,
        @Setting(value = "Adam learning rate of both networks.", label = "LR") double lr,
        @Setting(value = "Decay of the generator's moving average that sampling uses.", label = "D") double emaDecay,
        @Setting(value = "Size of the noise vector.", label = "N") int latentDim,
        @Setting(value = "Channels of the generator's last hidden layer.", label = "N") int generatorWidth,
        @Setting(value = "Channels of the discriminator's first layer.", label = "N") int discriminatorWidth) implements TrainingSettings {

    /**
     * Defaults sized for recognisable Fashion-MNIST samples within minutes on 2 cores. The learning
     * rate is 5x the DCGAN paper's 2e-4: over the quickstart's 600 steps per worker, 2e-4 left
     * noisy shirt-shaped blobs, 5e-4 the first trousers and shoes, 1e-3 clean varied items with
     * D and G in balance (D(real) ~0.67, D(fake) ~0.31, against 0.88 / 0.12 at 2e-4).
     */
    public static final DcganSettings DEFAULTS = new DcganSettings(null, null, "dcgan", 2, 10, 30, 64, 42L, false, false,
            10, 3, 5, 64, 1e-3, 0.999, 100, 64, 64);

    public DcganSettings {
        if (!"dcgan".equals(model)) {
            throw new InvalidSettingException("{model} " + model + ": available models: dcgan");
        }
        if (batch < 2) {
            throw new InvalidSettingException("{batch} " + batch + ": use 2 or more (batch norm needs a batch)");
        }
    }


    /** The model config for a dataset: geometry and classes from its manifest, the rest from here. */
    public DcganConfig dcgan(io.atelier.common.data.Manifest manifest) {
        return DcganConfig.forManifest(manifest, conditional)
                .withBatchSize(batch).withLearningRate(lr).withEmaDecay(emaDecay).withLatentDim(latentDim)
                .withWidths(generatorWidth, discriminatorWidth);
    }
}
