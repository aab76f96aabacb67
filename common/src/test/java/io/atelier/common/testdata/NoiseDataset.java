package io.atelier.common.testdata;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.DatasetWriter;
import io.atelier.common.data.ImageIds;
import io.atelier.common.image.SparkImage;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Uniform-noise gray images in the dataset format (train split): what an untrained generator makes. */
public final class NoiseDataset {
    private NoiseDataset() {
    }

    public static void write(SparkSession spark, String out, int n, int size, long seed) {
        List<Row> rows = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            byte[] data = new byte[size * size];
            for (int p = 0; p < data.length; p++) {
                data[p] = (byte) rng.nextInt(256);
            }
            SparkImage image = new SparkImage("noise#" + i, size, size, 1, SparkImage.CV_8UC1, data);
            String id = ImageIds.contentId(image);
            rows.add(RowFactory.create(image.toRow(), id, null, null, DatasetSchema.TRAIN, ImageIds.shardOf(id, 2)));
        }
        new DatasetWriter(spark, out).write(spark.createDataFrame(rows, DatasetSchema.ROW),
                new DatasetWriter.Description(size, 1, 2, List.of(), Map.of("test", "noise"), null), staging -> { });
    }
}
