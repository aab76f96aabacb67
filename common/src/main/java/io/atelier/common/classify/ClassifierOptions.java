package io.atelier.common.classify;

import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Setting;

import java.io.Serializable;

/**
 * Every setting of a classifier training job, with its help beside it: {@code train-classifier}'s
 * flags are generated from these components and {@link #DEFAULTS}, a JSON config file fills the
 * same record, and the trainer records it in the model's provenance.
 */
public record ClassifierOptions(
        @Setting(value = "Labelled dataset to train on (its train split); with train and test splits unless {testData} is given.",
                label = "DATASET") String data,
        @Setting(value = "Model file to write (a zip).", label = "MODEL") String out,
        @Setting(value = "Networks trained in parallel, one Spark partition each.", label = "N") int workers,
        @Setting(value = "Passes over the train split.", label = "N") int epochs,
        @Setting(value = "Minibatch per worker.", label = "N") int batch,
        @Setting(value = "Seed of the weights, the rows each worker gets and their order, mirroring, shifts and dropout "
                + "masks: the same seed and options train the same model.", label = "S") long seed,
        @Setting(value = "Minibatches per worker between parameter averages.", label = "K") int averaging,
        @Setting(value = "Adam learning rate.", label = "RATE") double learningRate,
        @Setting(value = "Channels of the first convolution; each later stage has twice as many.", label = "N") int width,
        @Setting(value = "Continue training this classifier file (its network; {width}, {stages}, {convs} and "
                + "{stageDropout} are then ignored) at {learningRate}, e.g. lower for a last epoch.", label = "MODEL")
        String init,
        @Setting(value = "Learning rate of the last epoch; the epochs between fall geometrically from {learningRate} "
                + "(default: constant).", label = "RATE") Double finalLearningRate,
        @Setting("Mirror a random half of each epoch's training images left to right (for classes that look alike "
                + "mirrored, as clothes do).") boolean flip,
        @Setting(value = "Score on this dataset's test split instead (same class names), e.g. train on generated images "
                + "and score on real ones; {data} without a train split then trains on all its labelled rows.",
                label = "DATASET") String testData,
        @Setting(value = "Convolution stages (conv-BN-ReLU-pool), 2 or 3.", label = "N") int stages,
        @Setting(value = "Move each training image by a random offset of up to this many pixels in x and y, drawn anew "
                + "each epoch (vacated pixels repeat the edge; 0: none).", label = "PIXELS") int shift,
        @Setting(value = "Convolutions per stage, 1 or 2, each with batch norm and ReLU.", label = "N") int convs,
        @Setting(value = "Share of each stage's pooled activations dropped while training, 0 to 0.5 (0: none). On "
                + "Fashion-MNIST at 10 epochs it scored lower than none: see data/models/README.md.", label = "SHARE")
        double stageDropout)
        implements Serializable {
    /** The command line's defaults; {@code data} and {@code out} have none ({@link #requirePaths}). */
    public static final ClassifierOptions DEFAULTS = new ClassifierOptions(null, null, 2, 3, 64, 42L, 10, 2e-3, 32,
            null, null, false, null, ClassifierNetwork.MIN_STAGES, 0, 1, 0);
    public static final int MAX_SHIFT = 4;
    public static final double MAX_STAGE_DROPOUT = 0.5;

    public ClassifierOptions {
        if (workers < 1 || epochs < 1 || batch < 1 || averaging < 1 || width < 1) {
            throw new InvalidSettingException("{workers} " + workers + ", {epochs} " + epochs + ", {batch} " + batch
                    + ", {averaging} " + averaging + ", {width} " + width + ": all must be 1 or more");
        }
        if (!(learningRate > 0) || finalLearningRate != null && !(finalLearningRate > 0)) {
            throw new InvalidSettingException("{learningRate} " + learningRate + ", {finalLearningRate} "
                    + finalLearningRate + ": both must be positive");
        }
        if (stages < ClassifierNetwork.MIN_STAGES || stages > ClassifierNetwork.MAX_STAGES) {
            throw new InvalidSettingException("{stages} " + stages + ": give " + ClassifierNetwork.MIN_STAGES + " or "
                    + ClassifierNetwork.MAX_STAGES + " (28x28 images leave 3x3 maps after three 2x2 poolings)");
        }
        if (convs < 1 || convs > ClassifierNetwork.MAX_CONVS) {
            throw new InvalidSettingException("{convs} " + convs + ": give 1 to " + ClassifierNetwork.MAX_CONVS
                    + " convolutions per stage");
        }
        if (!(stageDropout >= 0 && stageDropout <= MAX_STAGE_DROPOUT)) {
            throw new InvalidSettingException("{stageDropout} " + stageDropout + ": give a share from 0 to "
                    + MAX_STAGE_DROPOUT + " of each stage's activations to drop while training");
        }
        if (shift < 0 || shift > MAX_SHIFT) {
            throw new InvalidSettingException("{shift} " + shift + ": give 0 to " + MAX_SHIFT
                    + " pixels (more moves small images' content out of the frame)");
        }
    }

    /** Checks what has no default: the dataset to train on and the model file to write. */
    public void requirePaths() {
        if (data == null || data.isBlank()) {
            throw new InvalidSettingException("{data}: give the dataset to train on");
        }
        if (out == null || out.isBlank()) {
            throw new InvalidSettingException("{out}: give the model file to write");
        }
    }

    /** The last epoch's learning rate: {@code finalLearningRate}, or without one the constant {@code learningRate}. */
    public double lastLearningRate() {
        return finalLearningRate == null ? learningRate : finalLearningRate;
    }

    /** New weights, constant learning rate, no augmentation. */
    public ClassifierOptions(String data, String out, int workers, int epochs, int batch, long seed,
                             int averaging, double learningRate, int width, String init) {
        this(data, out, workers, epochs, batch, seed, averaging, learningRate, width, init, null,
                false, null, ClassifierNetwork.MIN_STAGES, 0, 1, 0);
    }

    /** New weights. */
    public ClassifierOptions(String data, String out, int workers, int epochs, int batch, long seed,
                             int averaging, double learningRate, int width) {
        this(data, out, workers, epochs, batch, seed, averaging, learningRate, width, null);
    }

    public static ClassifierOptions of(String data, String out) {
        return new ClassifierOptions(data, out, 2, 3, 64, 42L, 5, 2e-3, 32);
    }

    public ClassifierOptions withEpochs(int e) {
        return new ClassifierOptions(data, out, workers, e, batch, seed, averaging, learningRate, width, init,
                finalLearningRate, flip, testData, stages, shift, convs, stageDropout);
    }

    public ClassifierOptions withWorkers(int w) {
        return new ClassifierOptions(data, out, w, epochs, batch, seed, averaging, learningRate, width, init,
                finalLearningRate, flip, testData, stages, shift, convs, stageDropout);
    }

    public ClassifierOptions withInit(String model) {
        return new ClassifierOptions(data, out, workers, epochs, batch, seed, averaging, learningRate, width,
                model, finalLearningRate, flip, testData, stages, shift, convs, stageDropout);
    }

    public ClassifierOptions withSchedule(double finalRate, boolean mirror) {
        return new ClassifierOptions(data, out, workers, epochs, batch, seed, averaging, learningRate, width,
                init, finalRate, mirror, testData, stages, shift, convs, stageDropout);
    }

    public ClassifierOptions withTestData(String dataset) {
        return new ClassifierOptions(data, out, workers, epochs, batch, seed, averaging, learningRate, width,
                init, finalLearningRate, flip, dataset, stages, shift, convs, stageDropout);
    }

    public ClassifierOptions withStages(int n) {
        return new ClassifierOptions(data, out, workers, epochs, batch, seed, averaging, learningRate, width,
                init, finalLearningRate, flip, testData, n, shift, convs, stageDropout);
    }

    public ClassifierOptions withShift(int pixels) {
        return new ClassifierOptions(data, out, workers, epochs, batch, seed, averaging, learningRate, width,
                init, finalLearningRate, flip, testData, stages, pixels, convs, stageDropout);
    }

    public ClassifierOptions withConvs(int n) {
        return new ClassifierOptions(data, out, workers, epochs, batch, seed, averaging, learningRate, width,
                init, finalLearningRate, flip, testData, stages, shift, n, stageDropout);
    }

    public ClassifierOptions withStageDropout(double share) {
        return new ClassifierOptions(data, out, workers, epochs, batch, seed, averaging, learningRate, width,
                init, finalLearningRate, flip, testData, stages, shift, convs, share);
    }

    /** Epoch {@code e}'s (1-based) learning rate: geometric from the first to the final rate. */
    public double learningRate(int e) {
        if (epochs == 1) {
            return learningRate;
        }
        double t = (e - 1) / (double) (epochs - 1);
        return learningRate * Math.pow(lastLearningRate() / learningRate, t);
    }
}
