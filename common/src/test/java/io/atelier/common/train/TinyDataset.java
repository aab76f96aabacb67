package io.atelier.common.train;

import io.atelier.common.data.DatasetLayout;
import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.Manifest;
import io.atelier.common.image.SparkImage;
import io.atelier.common.io.Json;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Writes a small dataset in the Atelier format by hand (Parquet rows with {@link DatasetSchema#ROW},
 * one {@code shard=N} directory per shard, {@code _manifest.json}). Label 1 images are redder than
 * label 0 images, so a linear model can learn them. Every 6th image of a shard is in the test split.
 */
public final class TinyDataset {
    static final int SIZE = 4;
    static final int CHANNELS = 3;
    public static final int INPUTS = CHANNELS * SIZE * SIZE;

    private TinyDataset() {
    }

    /** Train rows per shard for {@code perShard} rows. */
    static int trainPerShard(int perShard) {
        int test = 0;
        for (int i = 0; i < perShard; i++) {
            test += isTest(i) ? 1 : 0;
        }
        return perShard - test;
    }

    public static Path write(SparkSession spark, Path dir, int shards, int perShard) throws IOException {
        SplittableRandom rnd = new SplittableRandom(2024);
        List<Row> rows = new ArrayList<>();
        long train = 0;
        Map<Integer, Long> perShardCounts = new TreeMap<>();
        for (int s = 0; s < shards; s++) {
            for (int i = 0; i < perShard; i++) {
                int label = (i + s) % 2;
                byte[] bgr = new byte[SIZE * SIZE * CHANNELS];
                for (int p = 0; p < SIZE * SIZE; p++) {
                    int base = rnd.nextInt(40, 140);
                    bgr[3 * p] = (byte) (base + rnd.nextInt(0, 20));                 // blue
                    bgr[3 * p + 1] = (byte) (base + rnd.nextInt(0, 20));             // green
                    bgr[3 * p + 2] = (byte) (base + (label == 1 ? 90 : 0) + rnd.nextInt(0, 20)); // red
                }
                String id = String.format("s%d-%03d", s, i);
                Row image = new SparkImage("mem://" + id, SIZE, SIZE, CHANNELS, SparkImage.CV_8UC3, bgr).toRow();
                String split = isTest(i) ? DatasetSchema.TEST : DatasetSchema.TRAIN;
                rows.add(RowFactory.create(image, id, label, label == 1 ? "red" : "plain", split, s));
                train += isTest(i) ? 0 : 1;
                perShardCounts.merge(s, 1L, Long::sum);
            }
        }
        spark.createDataFrame(rows, DatasetSchema.ROW).write().partitionBy(DatasetSchema.SHARD).parquet(dir.toString());
        long total = (long) shards * perShard;
        Manifest.Counts counts = new Manifest.Counts(total, Map.of(DatasetSchema.TRAIN, train, DatasetSchema.TEST, total - train),
                null, perShardCounts, null, null, null, null);
        Manifest manifest = new Manifest(Manifest.SCHEMA_VERSION, Manifest.FORMAT, "test fixture", SIZE, SIZE, CHANNELS, "BGR",
                shards, counts, List.of("plain", "red"), null, null, Map.of("fixture", "TinyDataset"), null);
        Files.writeString(dir.resolve(DatasetLayout.MANIFEST), Json.pretty(manifest), StandardCharsets.UTF_8);
        return dir;
    }

    private static boolean isTest(int i) {
        return i % 6 == 5;
    }
}
