package io.atelier.jobs;

import io.atelier.common.classify.ClassifierOptions;
import io.atelier.common.classify.ClassifierTrainer;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code atelier train-classifier}: the CNN that also serves as feature network for {@code evaluate}. */
@Command(name = "train-classifier", mixinStandardHelpOptions = true,
        description = "Train a small CNN classifier on a dataset's train split with dl4j-spark parameter "
                + "averaging; report test-split accuracy; save it (with provenance) for use as "
                + "`evaluate --features`.")
final class TrainClassifierCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, paramLabel = "DATASET",
            description = "Labelled dataset to train on (its train split); with train and test splits unless --test-data is given.")
    String data;

    @Option(names = "--test-data", paramLabel = "DATASET",
            description = "Score on this dataset's test split instead (same class names), e.g. train on generated "
                    + "images and score on real ones; --data without a train split then trains on all its labelled rows.")
    String testData;

    @Option(names = "--out", required = true, paramLabel = "MODEL", description = "Model file to write (a zip).")
    String out;

    @Option(names = "--workers", defaultValue = "2", description = "Networks trained in parallel (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--epochs", defaultValue = "3", description = "Passes over the train split (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "64", description = "Minibatch per worker (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--averaging", defaultValue = "10", paramLabel = "K",
            description = "Minibatches per worker between parameter averages (default: ${DEFAULT-VALUE}).")
    int averaging;

    @Option(names = "--learning-rate", defaultValue = "0.002", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--final-learning-rate", paramLabel = "RATE",
            description = "Learning rate of the last epoch; the epochs between fall geometrically from "
                    + "--learning-rate (default: constant).")
    Double finalLearningRate;

    @Option(names = "--flip", description = "Mirror a random half of each epoch's training images left to right "
            + "(for classes that look alike mirrored, as clothes do).")
    boolean flip;

    @Option(names = "--shift", defaultValue = "0", paramLabel = "PIXELS",
            description = "Move each training image by a random offset of up to this many pixels in x and y, drawn "
                    + "anew each epoch (vacated pixels repeat the edge; default: ${DEFAULT-VALUE}, none).")
    int shift;

    @Option(names = "--width", defaultValue = "32", description = "Channels of the first convolution (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--stages", defaultValue = "2",
            description = "Convolution stages, 2 or 3; each has twice the channels of the one before (default: ${DEFAULT-VALUE}).")
    int stages;

    @Option(names = "--convs", defaultValue = "1",
            description = "Convolutions per stage, 1 or 2, each with batch norm and ReLU (default: ${DEFAULT-VALUE}).")
    int convs;

    @Option(names = "--stage-dropout", defaultValue = "0", paramLabel = "SHARE",
            description = "Share of each stage's pooled activations dropped while training, 0 to 0.5 (default: "
                    + "${DEFAULT-VALUE}, none). On Fashion-MNIST at 10 epochs it scored lower than none: see "
                    + "data/models/README.md.")
    double stageDropout;

    @Option(names = "--init", paramLabel = "MODEL",
            description = "Continue training this classifier file (its network; --width, --stages, --convs and "
                    + "--stage-dropout are then ignored) at "
                    + "--learning-rate, e.g. lower for a last epoch.")
    String init;

    @Option(names = "--seed", defaultValue = "42",
            description = "Seed of the weights, the rows each worker gets and their order, mirroring, shifts and "
                    + "dropout masks: the same seed and options train the same model (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    SparkOptions spark;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ClassifierOptions options = new ClassifierOptions(data, out, workers, epochs, batch, seed, averaging,
                learningRate, width, init, finalLearningRate == null ? learningRate : finalLearningRate, flip, testData, stages, shift, convs,
                stageDropout);
        SparkSession session = SparkSessions.create("train-classifier", spark.master);
        if (testData != null) {
            System.out.printf("scoring on the test split of %s%n", testData);
        }
        // The arguments exactly as given (from the command's name on), for the model's provenance.
        ClassifierTrainer.Result r = new ClassifierTrainer(session).train(options,
                (done, total, seconds, accuracy) -> System.out.printf(
                        "epoch %d/%d  learning rate %.2e  %.1f s  test accuracy %.4f%n", done, total,
                        options.learningRate(done), seconds, accuracy),
                spec.commandLine().getParseResult().originalArgs());
        System.out.printf("test accuracy %.4f on %d images (trained on %s: %d images, %.1f s)%n", r.testAccuracy(),
                r.testCount(), r.trainedOn(), r.trainCount(), r.seconds());
        System.out.printf("model %s  sha256 %s%n", r.path(), r.sha256());
        return 0;
    }
}
