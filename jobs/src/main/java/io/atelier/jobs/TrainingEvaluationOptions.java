package io.atelier.jobs;

import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;
import io.atelier.common.eval.FeatureSource;
import io.atelier.common.eval.TrainingFid;
import io.atelier.common.families.SampledEvaluation;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/** FID while training, for any trainer's command: {@code @Mixin TrainingEvaluationOptions}. */
final class TrainingEvaluationOptions {
    @Option(names = "--eval-every", paramLabel = "N",
            description = "Score FID every N rounds and after the last; it joins metrics.jsonl and the report "
                    + "(default: never).")
    Integer every;

    @Option(names = "--eval-data", paramLabel = "DATASET",
            description = "Real images FID compares with: this dataset's test split, the floor its train split "
                    + "(default: the training dataset).")
    String data;

    @Option(names = "--eval-count", paramLabel = "N", defaultValue = "1000",
            description = "Samples per evaluation, and real images per side (default: ${DEFAULT-VALUE}).")
    long count;

    @Option(names = "--eval-seed", paramLabel = "S", defaultValue = "42",
            description = "Seed of the samples and the real sample; the same every evaluation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--eval-features", paramLabel = "MODEL|mobilenet_v2|inception_v3", defaultValue = FeatureChoice.DEFAULT,
            description = "Feature network, as evaluate --features (default: ${DEFAULT-VALUE}).")
    String features;

    /**
     * The evaluation to hand the trainer, or null without --eval-every. Checks the data and the
     * feature network before any training.
     */
    SampledEvaluation evaluation(SparkSession spark, String trainingData) {
        if (every == null) {
            if (data != null) {
                throw new IllegalArgumentException("--eval-data needs --eval-every N");
            }
            return null;
        }
        String evalData = data != null ? data : trainingData;
        Manifest train = ImageDataset.open(spark, trainingData).manifest();
        Manifest real = ImageDataset.open(spark, evalData).manifest();
        if (train.height() != real.height() || train.width() != real.width() || train.channels() != real.channels()) {
            throw new IllegalArgumentException("--eval-data " + evalData + " holds " + real.height() + "x" + real.width()
                    + "x" + real.channels() + " images, the model makes " + train.height() + "x" + train.width() + "x"
                    + train.channels() + " (the training data's shape): score against data of that shape");
        }
        FeatureSource source = FeatureChoice.load(spark, "--eval-features", features);
        TrainingFid.Options options = TrainingFid.Options.of(evalData).withCount(count).withSeed(seed);
        System.out.printf("FID every %d rounds: %d samples against %s (test split; floor: train split), features %s%n",
                every, count, evalData, features);
        return TrainingFid.every(every, spark, source, options);
    }
}
