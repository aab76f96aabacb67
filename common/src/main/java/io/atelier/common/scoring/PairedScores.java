package io.atelier.common.scoring;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.Manifest;
import io.atelier.common.eval.FeatureSummaryJob;
import io.atelier.common.eval.PixelDistances;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.substring_index;

/**
 * Ground truth for a translation of a paired dataset (ingested with {@code --split-by name}, so an
 * image's file name names its subject on every side, as the emoji pair's code points do): for each
 * sampled source image x whose name has a target image y in the same split, the mean per-pixel
 * |translation(x) - y|, beside the untranslated |x - y| and a retrieval baseline (the target
 * domain's train image nearest to x).
 */
final class PairedScores {
    /**
     * Bound on the target domain's train images collected to the driver for the nearest-image
     * baseline (float32, 20,000 Fashion-MNIST images are 63 MB; 64x64x3 ones about 1 GB, the most a driver
     * should hold; the distance matrix is [pairs, train]).
     */
    static final int MAX_TRAIN_IMAGES = 20_000;

    private static final String NAME = "pair_name";
    private static final String TRANSLATION = "translation";
    private static final String TARGET = "target";
    private static final String TARGET_ID = "target_id";

    private PairedScores() {
    }

    /** True when the dataset's split was taken over file names, which is what makes names pair images. */
    static boolean pairedByName(Manifest m) {
        Object ingest = m.provenance() == null ? null : m.provenance().get("ingest");
        return ingest instanceof Map<?, ?> options && "name".equals(options.get("splitBy"));
    }

    /**
     * @param source      the sampled source rows (image, {@link FeatureSummaryJob#KEY})
     * @param translated  their translations (image, {@link FeatureSummaryJob#KEY}), 8-bit as stored
     * @param targetSplit all the split's rows of the target domain (looked up by name, not sampled)
     * @param targetTrain all train rows of the target domain (the nearest-image baseline)
     * @return the scores, or null when no source image has a target image of its name
     */
    static TranslationReport.Paired of(Dataset<Row> source, Dataset<Row> translated, Dataset<Row> targetSplit,
                                       Dataset<Row> targetTrain) {
        Dataset<Row> xs = source.select(col(FeatureSummaryJob.KEY), name().as(NAME), col(DatasetSchema.IMAGE));
        Dataset<Row> ts = translated.select(col(FeatureSummaryJob.KEY), col(DatasetSchema.IMAGE).as(TRANSLATION));
        Dataset<Row> ys = targetSplit.select(name().as(NAME), col(DatasetSchema.ID).as(TARGET_ID),
                col(DatasetSchema.IMAGE).as(TARGET));
        // Only the pairs come to the driver: at most --count source images with their translation and target.
        List<Row> joined = xs.join(ts, FeatureSummaryJob.KEY).join(ys, NAME)
                .select(col(FeatureSummaryJob.KEY), col(TARGET_ID), col(DatasetSchema.IMAGE), col(TRANSLATION), col(TARGET))
                .collectAsList();
        // A name held twice in the target domain (several target labels) pairs with its smallest id: reproducible.
        Map<Long, Row> bySource = new TreeMap<>();
        for (Row r : joined) {
            bySource.merge(r.getLong(0), r, (a, b) -> a.getString(1).compareTo(b.getString(1)) <= 0 ? a : b);
        }
        if (bySource.isEmpty()) {
            return null;
        }
        List<Row> pairs = new ArrayList<>(bySource.values());
        INDArray x = PixelDistances.pixels(pairs, 2);
        INDArray t = PixelDistances.pixels(pairs, 3);
        INDArray y = PixelDistances.pixels(pairs, 4);

        long trainCount = targetTrain.count();
        Double nearestL1 = null;
        String skipped = null;
        if (trainCount == 0) {
            skipped = "the target domain has no train images";
        } else if (trainCount > MAX_TRAIN_IMAGES) {
            skipped = "the target domain has " + trainCount + " train images, more than the " + MAX_TRAIN_IMAGES
                    + " collected to the driver for the search";
        } else {
            INDArray train = PixelDistances.pixels(targetTrain.select(col(DatasetSchema.IMAGE)).collectAsList(), 0);
            nearestL1 = PixelDistances.meanL1(PixelDistances.nearestRows(x, train), y);
        }
        // Per pair, so the report can say whether a small gain over the untranslated image is real;
        // every image has the same size, so the means of the pairs are the means over all pixels.
        INDArray translatedL1 = PixelDistances.rowMeanL1(t, y);
        INDArray identityL1 = PixelDistances.rowMeanL1(x, y);
        return new TranslationReport.Paired(pairs.size(), translatedL1.meanNumber().doubleValue(),
                identityL1.meanNumber().doubleValue(), TranslationReport.Gain.of(identityL1.sub(translatedL1)), nearestL1,
                skipped, trainCount);
    }

    /** The file name without its folders, as {@code --split-by name} hashes it. */
    private static Column name() {
        return substring_index(col(DatasetSchema.IMAGE + ".origin"), "/", -1);
    }
}
