package io.atelier.common.scoring;

import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;
import io.atelier.common.eval.FeatureSource;
import io.atelier.common.eval.TrainingFid;
import io.atelier.common.families.SampledEvaluation;
import org.apache.spark.sql.SparkSession;

import java.util.function.Consumer;

/**
 * FID while training, as any trainer's command asks for it ({@code --eval-every} and the rest).
 *
 * @param every    score every this many rounds and after the last; null for never
 * @param data     the real images' dataset (its test split; the floor its train split); null for the training data
 * @param count    samples per evaluation, and real images per side
 * @param seed     seed of the samples and the real sample, the same every evaluation
 * @param features the feature network, as {@link FeatureChoice#load} takes it
 */
public record TrainingEvaluation(Integer every, String data, long count, long seed, String features) {
    /**
     * The evaluation to hand the trainer, or null without {@code every}. Checks the data and the
     * feature network before any training.
     *
     * @param log one line saying what will be scored
     */
    public SampledEvaluation evaluation(SparkSession spark, String trainingData, Consumer<String> log) {
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
        log.accept(String.format("FID every %d rounds: %d samples against %s (test split; floor: train split), features %s",
                every, count, evalData, features));
        return TrainingFid.every(every, spark, source, options);
    }

    /**
     * For a CycleGAN run: its translations scored in both directions on its own domains (label
     * sets of {@code data}, or the datasets {@code dataA} and {@code dataB}), or null without
     * {@code every}. --eval-data is refused: the domains are the training data's.
     */
    public SampledEvaluation translationEvaluation(SparkSession spark, String data, String dataA, String dataB,
                                                   Consumer<String> log) {
        if (every == null) {
            return evaluation(spark, data, log);
        }
        if (this.data != null) {
            throw new IllegalArgumentException("--eval-data " + this.data + ": a CycleGAN run is scored on its own two"
                    + " domains; leave --eval-data off");
        }
        FeatureSource source = FeatureChoice.load(spark, "--eval-features", features);
        log.accept(String.format("translation FID every %d rounds, both directions: %d test images per domain, features %s",
                every, count, features));
        return TranslationFid.every(every, source, new TranslationFid.Sample(count, seed, 64),
                model -> dataA != null ? TranslationDomains.ofDatasets(spark, dataA, dataB, "", model)
                        : TranslationDomains.ofLabels(spark, ImageDataset.open(spark, data), "--data", model));
    }
}
