package io.atelier.common.classify;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;
import io.atelier.common.io.InvalidSettingException;
import org.apache.spark.sql.SparkSession;

import java.util.Map;

/**
 * The rows that train a classifier and those that score it: {@code --data}'s train and test
 * splits; or, with {@code --test-data}, {@code --data}'s train split (all its labelled rows when it
 * has none) and the other dataset's test split, as when a classifier trained on generated images
 * is scored on real ones.
 *
 * @param trainSplit the split trained on, or null for every labelled row
 */
record ClassifierData(ImageDataset train, String trainSplit, long trainCount, ImageDataset test) {

    static ClassifierData of(SparkSession spark, ClassifierOptions o) {
        ImageDataset data = ImageDataset.open(spark, o.data());
        Manifest m = data.manifest();
        if (m.labelNames() == null || m.labelNames().size() < 2) {
            throw new InvalidSettingException("{data} " + o.data() + " has no labels; a classifier needs at least 2 classes");
        }
        if (o.testData() == null) {
            if (m.count(DatasetSchema.TRAIN) == 0 || m.count(DatasetSchema.TEST) == 0) {
                throw new InvalidSettingException("{data} " + o.data() + " needs both a train and a test split (has "
                        + m.counts().perSplit() + "); re-ingest with {testFraction} > 0, or score on another"
                        + " dataset's test split with {testData}");
            }
            return new ClassifierData(data, DatasetSchema.TRAIN, m.count(DatasetSchema.TRAIN), data);
        }
        ImageDataset test = ImageDataset.open(spark, o.testData());
        requireComparable(o, m, test.manifest());
        if (m.count(DatasetSchema.TRAIN) > 0) {
            return new ClassifierData(data, DatasetSchema.TRAIN, m.count(DatasetSchema.TRAIN), test);
        }
        long unlabelled = m.counts().perLabel().getOrDefault("unlabelled", Map.of()).values().stream()
                .mapToLong(Long::longValue).sum();
        long labelled = m.counts().rows() - unlabelled;
        if (labelled == 0) {
            throw new InvalidSettingException("{data} " + o.data() + " has no labelled rows to train on");
        }
        return new ClassifierData(data, null, labelled, test);
    }

    private static void requireComparable(ClassifierOptions o, Manifest train, Manifest test) {
        if (test.count(DatasetSchema.TEST) == 0) {
            throw new InvalidSettingException("{testData} " + o.testData() + " has no test split (has "
                    + test.counts().perSplit() + "); give a dataset ingested with {testFraction} > 0");
        }
        if (!train.labelNames().equals(test.labelNames())) {
            throw new InvalidSettingException("class names differ: {data} " + o.data() + " has " + train.labelNames()
                    + ", {testData} " + o.testData() + " has " + test.labelNames()
                    + "; a classifier is scored on the classes it learned, so both need the same names in the same order");
        }
        if (train.height() != test.height() || train.width() != test.width() || train.channels() != test.channels()) {
            throw new InvalidSettingException("{data} " + o.data() + " has " + train.height() + "x" + train.width() + "x"
                    + train.channels() + " images, {testData} " + o.testData() + " " + test.height() + "x" + test.width()
                    + "x" + test.channels() + "; re-ingest one at the other's {size} and {channels}");
        }
    }

    /** What the classifier learns from, in words for the console and the model's provenance. */
    String describeTrain() {
        return trainSplit != null ? "the " + trainSplit + " split of " + train.path()
                : "all " + trainCount + " labelled rows of " + train.path() + " (it has no train split)";
    }
}
