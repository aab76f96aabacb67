package io.atelier.jobs;

import io.atelier.common.families.SampledEvaluation;
import io.atelier.common.scoring.FeatureChoice;
import io.atelier.common.scoring.TrainingEvaluation;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/**
 * FID while training, for any trainer's command: {@code @Mixin TrainingEvaluationOptions}; the
 * flags of {@link TrainingEvaluation}, which does the work.
 */
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

    /** The evaluation to hand the trainer, or null without --eval-every. */
    SampledEvaluation evaluation(SparkSession spark, String trainingData) {
        return new TrainingEvaluation(every, data, count, seed, features).evaluation(spark, trainingData, System.out::println);
    }

    /** For a CycleGAN run: its translations scored on its own domains, or null without --eval-every. */
    SampledEvaluation translationEvaluation(SparkSession spark, String data, String dataA, String dataB) {
        return new TrainingEvaluation(every, this.data, count, seed, features).translationEvaluation(spark, data, dataA,
                dataB, System.out::println);
    }
}
