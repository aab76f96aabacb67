package io.atelier.common.classify;

import java.io.Serializable;

/**
 * @param workers            Spark partitions that train in parallel (one network each)
 * @param batch              minibatch per worker
 * @param averagingFrequency minibatches each worker fits between parameter averages
 * @param width              channels of the first convolution (each later stage has twice as many)
 * @param stages             convolution stages (conv-BN-ReLU-pool), 2 or 3
 * @param init               a classifier file to continue training (its network and width), or null for new weights
 * @param finalLearningRate  the last epoch's learning rate; epochs in between fall geometrically
 *                           from {@code learningRate} (equal to it: constant)
 * @param flip               mirror a random half of each epoch's training images left to right
 * @param shift              move each epoch's training images by up to this many pixels in x and y (drawn per
 *                           image; vacated pixels repeat the edge), 0 for none
 * @param convs              convolutions (each with batch norm and ReLU) per stage, 1 or 2
 * @param stageDropout       share of each stage's pooled activations dropped while training (0: none)
 * @param testData           the dataset whose test split scores the classifier, or null for {@code data}'s; with
 *                           another dataset, {@code data} may have no test split (e.g. a generated one)
 */
public record ClassifierOptions(String data, String output, int workers, int epochs, int batch, long seed,
                                int averagingFrequency, double learningRate, int width, String init,
                                double finalLearningRate, boolean flip, String testData, int stages, int shift, int convs,
                                double stageDropout)
        implements Serializable {
    public static final int MAX_SHIFT = 4;
    public static final double MAX_STAGE_DROPOUT = 0.5;

    public ClassifierOptions {
        if (data == null || data.isBlank()) {
            throw new IllegalArgumentException("--data: give the dataset to train on");
        }
        if (output == null || output.isBlank()) {
            throw new IllegalArgumentException("--out: give the model file to write");
        }
        if (workers < 1 || epochs < 1 || batch < 1 || averagingFrequency < 1 || width < 1) {
            throw new IllegalArgumentException("--workers " + workers + ", --epochs " + epochs + ", --batch " + batch
                    + ", --averaging " + averagingFrequency + ", --width " + width + ": all must be 1 or more");
        }
        if (!(learningRate > 0) || !(finalLearningRate > 0)) {
            throw new IllegalArgumentException("--learning-rate " + learningRate + ", --final-learning-rate "
                    + finalLearningRate + ": both must be positive");
        }
        if (stages < ClassifierNetwork.MIN_STAGES || stages > ClassifierNetwork.MAX_STAGES) {
            throw new IllegalArgumentException("--stages " + stages + ": give " + ClassifierNetwork.MIN_STAGES + " or "
                    + ClassifierNetwork.MAX_STAGES + " (28x28 images leave 3x3 maps after three 2x2 poolings)");
        }
        if (convs < 1 || convs > ClassifierNetwork.MAX_CONVS) {
            throw new IllegalArgumentException("--convs " + convs + ": give 1 to " + ClassifierNetwork.MAX_CONVS
                    + " convolutions per stage");
        }
        if (!(stageDropout >= 0 && stageDropout <= MAX_STAGE_DROPOUT)) {
            throw new IllegalArgumentException("--stage-dropout " + stageDropout + ": give a share from 0 to "
                    + MAX_STAGE_DROPOUT + " of each stage's activations to drop while training");
        }
        if (shift < 0 || shift > MAX_SHIFT) {
            throw new IllegalArgumentException("--shift " + shift + ": give 0 to " + MAX_SHIFT
                    + " pixels (more moves small images' content out of the frame)");
        }
    }

    /** New weights, constant learning rate, no augmentation. */
    public ClassifierOptions(String data, String output, int workers, int epochs, int batch, long seed,
                             int averagingFrequency, double learningRate, int width, String init) {
        this(data, output, workers, epochs, batch, seed, averagingFrequency, learningRate, width, init, learningRate,
                false, null, ClassifierNetwork.MIN_STAGES, 0, 1, 0);
    }

    /** New weights. */
    public ClassifierOptions(String data, String output, int workers, int epochs, int batch, long seed,
                             int averagingFrequency, double learningRate, int width) {
        this(data, output, workers, epochs, batch, seed, averagingFrequency, learningRate, width, null);
    }

    public static ClassifierOptions of(String data, String output) {
        return new ClassifierOptions(data, output, 2, 3, 64, 42L, 5, 2e-3, 32);
    }

    public ClassifierOptions withEpochs(int e) {
        return new ClassifierOptions(data, output, workers, e, batch, seed, averagingFrequency, learningRate, width, init,
                finalLearningRate, flip, testData, stages, shift, convs, stageDropout);
    }

    public ClassifierOptions withWorkers(int w) {
        return new ClassifierOptions(data, output, w, epochs, batch, seed, averagingFrequency, learningRate, width, init,
                finalLearningRate, flip, testData, stages, shift, convs, stageDropout);
    }

    public ClassifierOptions withInit(String model) {
        return new ClassifierOptions(data, output, workers, epochs, batch, seed, averagingFrequency, learningRate, width,
                model, finalLearningRate, flip, testData, stages, shift, convs, stageDropout);
    }

    public ClassifierOptions withSchedule(double finalRate, boolean mirror) {
        return new ClassifierOptions(data, output, workers, epochs, batch, seed, averagingFrequency, learningRate, width,
                init, finalRate, mirror, testData, stages, shift, convs, stageDropout);
    }

    public ClassifierOptions withTestData(String dataset) {
        return new ClassifierOptions(data, output, workers, epochs, batch, seed, averagingFrequency, learningRate, width,
                init, finalLearningRate, flip, dataset, stages, shift, convs, stageDropout);
    }

    public ClassifierOptions withStages(int n) {
        return new ClassifierOptions(data, output, workers, epochs, batch, seed, averagingFrequency, learningRate, width,
                init, finalLearningRate, flip, testData, n, shift, convs, stageDropout);
    }

    public ClassifierOptions withShift(int pixels) {
        return new ClassifierOptions(data, output, workers, epochs, batch, seed, averagingFrequency, learningRate, width,
                init, finalLearningRate, flip, testData, stages, pixels, convs, stageDropout);
    }

    public ClassifierOptions withConvs(int n) {
        return new ClassifierOptions(data, output, workers, epochs, batch, seed, averagingFrequency, learningRate, width,
                init, finalLearningRate, flip, testData, stages, shift, n, stageDropout);
    }

    public ClassifierOptions withStageDropout(double share) {
        return new ClassifierOptions(data, output, workers, epochs, batch, seed, averagingFrequency, learningRate, width,
                init, finalLearningRate, flip, testData, stages, shift, convs, share);
    }

    /** Epoch {@code e}'s (1-based) learning rate: geometric from the first to the final rate. */
    public double learningRate(int e) {
        if (epochs == 1) {
            return learningRate;
        }
        double t = (e - 1) / (double) (epochs - 1);
        return learningRate * Math.pow(finalLearningRate / learningRate, t);
    }
}
