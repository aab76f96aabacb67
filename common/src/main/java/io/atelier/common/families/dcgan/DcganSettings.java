package io.atelier.common.families.dcgan;

import io.atelier.common.families.TrainingSettings;

/**
 * Every setting of a GAN training job, with its default, in one place: the CLI's flags and a
 * JSON config file fill the same record, and the resolved record is written into the run.
 *
 * @param data               dataset directory (the train split is used)
 * @param out                run directory to create (or continue, with resume)
 * @param model              model family: {@code dcgan}
 * @param workers            data-parallel workers W (one Spark task each)
 * @param localSteps         optimizer steps per worker between averagings K
 * @param rounds             rounds to reach R (on resume: the total)
 * @param batch              real images per step and worker
 * @param seed               run seed: the same settings and seed give the same parameters
 * @param resume             continue from the latest complete checkpoint
 * @param conditional        class-conditional generator and (projection) discriminator
 * @param checkpointEvery    checkpoint every N rounds (and after the last)
 * @param keepCheckpoints    newest checkpoints kept; 0 keeps all
 * @param sampleEvery        sample grid every N rounds (and after the last)
 * @param sampleCount        images per sample grid
 * @param lr                 Adam learning rate of both networks
 * @param emaDecay           decay of the generator's moving average used for sampling
 * @param latentDim          size of the noise vector
 * @param generatorWidth     channels of the generator's last hidden layer
 * @param discriminatorWidth channels of the discriminator's first layer
 */
public record DcganSettings(String data, String out, String model, int workers, int localSteps, int rounds, int batch,
                          long seed, boolean resume, boolean conditional, int checkpointEvery, int keepCheckpoints,
                          int sampleEvery, int sampleCount, double lr, double emaDecay, int latentDim,
                          int generatorWidth, int discriminatorWidth) implements TrainingSettings {

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
            throw new IllegalArgumentException("--model " + model + ": available models: dcgan");
        }
        if (batch < 2) {
            throw new IllegalArgumentException("--batch " + batch + ": use 2 or more (batch norm needs a batch)");
        }
    }


    /** The model config for a dataset: geometry and classes from its manifest, the rest from here. */
    public DcganConfig dcgan(io.atelier.common.data.Manifest manifest) {
        return DcganConfig.forManifest(manifest, conditional)
                .withBatchSize(batch).withLearningRate(lr).withEmaDecay(emaDecay).withLatentDim(latentDim)
                .withWidths(generatorWidth, discriminatorWidth);
    }
}
