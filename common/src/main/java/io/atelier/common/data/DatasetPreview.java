package io.atelier.common.data;

import io.atelier.common.image.ImageGrid;
import io.atelier.common.image.SparkImage;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

/** A labelled contact sheet of a dataset: one row per label, the first images by id. */
public final class DatasetPreview {
    private DatasetPreview() {
    }

    /** Collects at most {@code perLabel} images per label (labels x perLabel rows reach the driver). */
    public static BufferedImage grid(SparkSession spark, ImageDataset dataset, int perLabel) {
        List<Row> picked = dataset.rows(spark)
                .withColumn("_group", coalesce(col(DatasetSchema.LABEL), lit(-1)))
                .withColumn("_rank", row_number().over(Window.partitionBy("_group").orderBy(DatasetSchema.ID)))
                .where(col("_rank").leq(perLabel))
                .select("_group", DatasetSchema.IMAGE)
                .collectAsList();
        Map<Integer, List<BufferedImage>> byLabel = new TreeMap<>();
        for (Row r : picked) {
            byLabel.computeIfAbsent(r.getInt(0), k -> new ArrayList<>()).add(SparkImage.fromRow(r.getStruct(1)).toRgb());
        }
        if (byLabel.isEmpty()) {
            throw new IllegalArgumentException("dataset " + dataset.path() + " has no rows to show");
        }
        List<String> names = dataset.manifest().labelNames();
        List<String> labels = new ArrayList<>();
        for (int label : byLabel.keySet()) {
            labels.add(label < 0 ? "unlabelled"
                    : label + " " + (names != null && label < names.size() ? names.get(label) : ""));
        }
        int size = Math.max(dataset.manifest().height(), dataset.manifest().width());
        int scale = Math.max(1, 64 / Math.max(1, size));
        return ImageGrid.compose(new ArrayList<>(byLabel.values()), labels, scale);
    }
}
