package io.atelier.common.scoring;

import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;
import io.atelier.common.eval.FeatureSource;
import io.atelier.common.eval.TrainingFid;
import io.atelier.common.families.SampledEvaluation;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Setting;
import org.apache.spark.sql.SparkSession;

import java.util.function.Consumer;

/**
 * FID while training: the settings any trainer's command takes beside its family's record (the
 * same {@code --config} file holds both; the names start with {@code eval} so they never meet a
 * training setting's).
 *
 * @param evalEvery    score every this many rounds and after the last; null for never
 * @param evalData     the real images' dataset (its test split; the floor its train split); null for the training data
 * @param evalCount    samples per evaluation, and real images per side
 * @param evalSeed     seed of the samples and the real sample, the same every evaluation
 * @param evalFeatures the feature network, as {@link FeatureChoice#load} takes it
 */
public record TrainingEvaluation(
        @Setting(value = "Score FID every N rounds and after the last; it joins metrics.jsonl and the report"
                + " (default: never).", label = "N") Integer evalEvery,
        @Setting(value = "Real images FID compares with: this dataset's test split, the floor its train split"
                + " (default: the training dataset).", label = "DATASET") String evalData,
        @Setting(value = "Samples per evaluation, and real images per side.", label = "N") long evalCount,
        @Setting(value = "Seed of the samples and the real sample; the same every evaluation.", label = "S") long evalSeed,
        @Setting(value = "Feature network, as evaluate's {features}.", label = "MODEL|mobilenet_v2|inception_v3")
        String evalFeatures) {
    /** No evaluation; 1,000 images per side with the default feature network when {@code evalEvery} is set. */
    public static final TrainingEvaluation DEFAULTS = new TrainingEvaluation(null, null, 1000, 42L, FeatureChoice.DEFAULT);

    public TrainingEvaluation {
        if (evalEvery != null && evalEvery < 1) {
            throw new InvalidSettingException("{evalEvery} " + evalEvery + ": use 1 or more");
        }
        if (evalCount < 2) {
            throw new InvalidSettingException("{evalCount} " + evalCount + ": use at least 2 images");
        }
    }

    /**
     * The evaluation to hand the trainer, or null without {@code every}. Checks the data and the
     * feature network before any training.
     *
     * @param log one line saying what will be scored
     */
    public SampledEvaluation evaluation(SparkSession spark, String trainingData, Consumer<String> log) {
        if (evalEvery == null) {
            if (evalData != null) {
                throw new InvalidSettingException("{evalData} needs {evalEvery} N");
            }
            return null;
        }
        String real = evalData != null ? evalData : trainingData;
        Manifest train = ImageDataset.open(spark, trainingData).manifest();
        Manifest scored = ImageDataset.open(spark, real).manifest();
        if (train.height() != scored.height() || train.width() != scored.width() || train.channels() != scored.channels()) {
            throw new InvalidSettingException("{evalData} " + real + " holds " + scored.height() + "x" + scored.width()
                    + "x" + scored.channels() + " images, the model makes " + train.height() + "x" + train.width() + "x"
                    + train.channels() + " (the training data's shape): score against data of that shape");
        }
        FeatureSource source = FeatureChoice.load(spark, "{evalFeatures}", evalFeatures);
        TrainingFid.Options options = TrainingFid.Options.of(real).withCount(evalCount).withSeed(evalSeed);
        log.accept(String.format("FID every %d rounds: %d samples against %s (test split; floor: train split), features %s",
                evalEvery, evalCount, real, evalFeatures));
        return TrainingFid.every(evalEvery, spark, source, options);
    }

    /**
     * For a CycleGAN run: its translations scored in both directions on its own domains (label
     * sets of {@code data}, or the datasets {@code dataA} and {@code dataB}), or null without
     * {@code evalEvery}. {@code evalData} is refused: the domains are the training data's.
     */
    public SampledEvaluation translationEvaluation(SparkSession spark, String data, String dataA, String dataB,
                                                   Consumer<String> log) {
        if (evalEvery == null) {
            return evaluation(spark, data, log);
        }
        if (evalData != null) {
            throw new InvalidSettingException("{evalData} " + evalData + ": a CycleGAN run is scored on its own two"
                    + " domains; leave {evalData} off");
        }
        FeatureSource source = FeatureChoice.load(spark, "{evalFeatures}", evalFeatures);
        log.accept(String.format("translation FID every %d rounds, both directions: %d test images per domain, features %s",
                evalEvery, evalCount, evalFeatures));
        return TranslationFid.every(evalEvery, source, new TranslationFid.Sample(evalCount, evalSeed, 64),
                model -> dataA != null ? TranslationDomains.ofDatasets(spark, dataA, dataB, "", model)
                        : TranslationDomains.ofLabels(spark, ImageDataset.open(spark, data), "--data", model));
    }
}
