package io.atelier.common.testdata;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.DatasetWriter;
import io.atelier.common.data.ImageIds;
import io.atelier.common.image.SparkImage;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The first images of the vendored Fashion-MNIST files with their labels, written straight into
 * the dataset format (the first {@code train} as the train split, the next {@code test} as the
 * test split): real images for tests that need only a few hundred, without ingesting 10,000.
 */
public final class FashionMnistSlice {
    private static final int SIZE = 28;

    private FashionMnistSlice() {
    }

    public static String write(SparkSession spark, String out, int train, int test) {
        Path dir = Path.of(System.getProperty("atelier.repo.root"), "data", "fashion-mnist");
        int n = train + test;
        try (DataInputStream images = gz(dir.resolve("t10k-images-idx3-ubyte.gz"));
             DataInputStream labels = gz(dir.resolve("t10k-labels-idx1-ubyte.gz"))) {
            images.skipNBytes(16); // magic, count, rows, columns
            labels.skipNBytes(8); // magic, count
            List<String> names = Files.readAllLines(dir.resolve("class-names.txt"));
            List<Row> rows = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                byte[] pixels = images.readNBytes(SIZE * SIZE);
                int label = labels.readUnsignedByte();
                SparkImage image = new SparkImage("fashion-mnist#" + i, SIZE, SIZE, 1, SparkImage.CV_8UC1, pixels);
                String id = ImageIds.contentId(image);
                rows.add(RowFactory.create(image.toRow(), id, label, names.get(label),
                        i < train ? DatasetSchema.TRAIN : DatasetSchema.TEST, ImageIds.shardOf(id, 2)));
            }
            new DatasetWriter(spark, out).write(spark.createDataFrame(rows, DatasetSchema.ROW),
                    new DatasetWriter.Description(SIZE, 1, 2, names, Map.of("test", "fashion-mnist-slice"), null),
                    staging -> { });
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static DataInputStream gz(Path file) throws IOException {
        return new DataInputStream(new GZIPInputStream(Files.newInputStream(file)));
    }
}
