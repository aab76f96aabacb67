package io.atelier.common.scoring;

import io.atelier.common.classify.ClassifierFeatures;
import io.atelier.common.embed.NetworkFeatures;
import io.atelier.common.eval.FeatureSource;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.InvalidSettingException;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/** The feature network named by {@code evaluate --features} or {@code train-gan --eval-features}. */
public final class FeatureChoice {
    /** Relative to the working directory, which bin/atelier sets to the repository root. */
    public static final String DEFAULT = "data/models/fashion-mnist-classifier.zip";
    public static final String HELP = "Feature network: a model file from `atelier train-classifier` (the default is "
            + "for 28x28 gray images), or mobilenet_v2 / inception_v3 (the shipped nsfwjs networks, ImageNet-"
            + "initialised and fine-tuned on 5 classes: any image size, gray replicated to RGB; not comparable with "
            + "published Inception FIDs).";

    private FeatureChoice() {
    }

    /**
     * @param setting the setting that named it, for the message when it does not exist
     * @param choice  a shipped network's name or a classifier file
     */
    public static FeatureSource load(SparkSession spark, String setting, String choice) {
        if (NetworkFeatures.isName(choice)) {
            return NetworkFeatures.load(spark, choice, null);
        }
        if (!HadoopFiles.exists(new Path(choice), spark.sparkContext().hadoopConfiguration())) {
            throw new InvalidSettingException(setting + " " + choice + " does not exist; train one with "
                    + "`atelier train-classifier`, or use " + String.join(" or ", NetworkFeatures.NAMES));
        }
        return ClassifierFeatures.load(choice, spark.sparkContext().hadoopConfiguration());
    }
}
