package io.atelier.common.data;

import io.atelier.common.data.ingest.Ingest;
import io.atelier.common.data.ingest.IngestOptions;
import io.atelier.common.data.ingest.IngestProgress;
import io.atelier.common.data.ingest.IngestSummary;
import io.atelier.common.image.PixelAdapter;
import io.atelier.common.image.SparkImage;
import io.atelier.common.testing.LocalSpark;
import io.atelier.common.testing.SampleImages;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A written dataset read back the ways later stages read it. */
class ImageDatasetTest {
    private static final int SIZE = 16;

    @TempDir
    static Path tmp;

    private static Path dataset;
    private static IngestSummary summary;

    private static SparkSession spark() {
        return LocalSpark.get();
    }

    @BeforeAll
    static void ingestOnce() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("discs", 5);
        counts.put("squares", 4);
        Path in = SampleImages.folderTree(tmp.resolve("in"), counts, 24);
        dataset = tmp.resolve("ds");
        summary = new Ingest(spark(), IngestOptions.of(List.of(in.toString()), dataset.toString(), SIZE).withShards(3))
                .run(IngestProgress.NONE);
    }

    @Test
    void plainParquetReadSeesTheDocumentedColumnsAndOnlyTheRows() {
        Dataset<Row> rows = spark().read().parquet(dataset.toString());
        StructType schema = rows.schema();
        assertEquals(Set.of(DatasetSchema.ROW.fieldNames()), Set.of(schema.fieldNames()), "columns");
        assertTrue(DatasetSchema.hasImageStruct(schema), "image column shaped like Spark's image struct: " + schema);
        assertEquals(9, rows.count(), "rows (quarantine, manifest and markers are not rows)");
        for (Row r : rows.collectAsList()) {
            SparkImage img = SparkImage.fromRow(r.getStruct(r.fieldIndex(DatasetSchema.IMAGE)));
            assertEquals(SIZE + "x" + SIZE + "x3 mode " + SparkImage.CV_8UC3,
                    img.height() + "x" + img.width() + "x" + img.nChannels() + " mode " + img.mode(), "stored image shape");
        }
    }

    @Test
    void toNchwGivesBatchChannelHeightWidthInMinusOneToOne() {
        List<Row> rows = ImageDataset.open(spark(), dataset.toString()).rows(spark()).collectAsList();
        List<SparkImage> images = rows.stream()
                .map(r -> SparkImage.fromRow(r.getStruct(r.fieldIndex(DatasetSchema.IMAGE)))).toList();
        INDArray x = PixelAdapter.toNchw(images);
        assertArrayEquals(new long[]{9, 3, SIZE, SIZE}, x.shape(), "tensor shape [n, c, h, w]");
        assertTrue(x.minNumber().doubleValue() >= -1 && x.maxNumber().doubleValue() <= 1,
                "values expected in [-1, 1], got [" + x.minNumber() + ", " + x.maxNumber() + "]");
        assertTrue(x.maxNumber().doubleValue() - x.minNumber().doubleValue() > 1, "values expected to use the range");
        // Channel 0 is red: the stored struct is BGR, so red is the third byte of each pixel.
        SparkImage first = images.get(0);
        for (int[] p : new int[][]{{0, 0}, {7, 9}, {15, 15}}) {
            int o = (p[1] * SIZE + p[0]) * 3;
            assertEquals(PixelAdapter.toUnit(first.data()[o + 2]), x.getFloat(0, 0, p[1], p[0]), 1e-6, "R at " + Arrays.toString(p));
            assertEquals(PixelAdapter.toUnit(first.data()[o + 1]), x.getFloat(0, 1, p[1], p[0]), 1e-6, "G at " + Arrays.toString(p));
            assertEquals(PixelAdapter.toUnit(first.data()[o]), x.getFloat(0, 2, p[1], p[0]), 1e-6, "B at " + Arrays.toString(p));
        }
        assertEquals(-1f, PixelAdapter.toUnit((byte) 0), 0f, "byte 0");
        assertEquals(1f, PixelAdapter.toUnit((byte) 255), 0f, "byte 255");
    }

    @Test
    void grayImagesPackToOneChannelAndMixedShapesAreRefused() {
        SparkImage a = new SparkImage("a", 2, 3, 1, SparkImage.CV_8UC1, new byte[]{0, 51, 102, (byte) 153, (byte) 204, (byte) 255});
        SparkImage b = new SparkImage("b", 2, 3, 1, SparkImage.CV_8UC1, new byte[6]);
        INDArray x = PixelAdapter.toNchw(List.of(a, b));
        assertArrayEquals(new long[]{2, 1, 2, 3}, x.shape(), "gray tensor shape");
        assertEquals(1f, x.getFloat(0, 0, 1, 2), 1e-6, "byte 255 at row 1, column 2");
        assertEquals(-1f, x.getFloat(0, 0, 0, 0), 1e-6, "byte 0 at row 0, column 0");
        SparkImage wide = new SparkImage("c", 3, 2, 1, SparkImage.CV_8UC1, new byte[6]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PixelAdapter.toNchw(List.of(a, wide)));
        assertTrue(e.getMessage().contains("image c"), "expected the odd image named, got: " + e.getMessage());
    }

    @Test
    void openReadsTheManifestAndSelectsShards() {
        ImageDataset ds = ImageDataset.open(spark(), dataset.toString());
        assertEquals(summary.manifest().counts(), ds.manifest().counts(), "manifest read back");
        assertEquals(List.of("discs", "squares"), ds.manifest().labelNames(), "label names read back");
        assertEquals(Arrays.asList(DatasetSchema.ROW.fieldNames()), Arrays.asList(ds.rows(spark()).columns()),
                "rows() column order");
        int someShard = ds.manifest().counts().perShard().keySet().iterator().next();
        long inShard = ds.manifest().counts().perShard().get(someShard);
        Dataset<Row> one = ds.shards(spark(), List.of(someShard));
        assertEquals(inShard, one.count(), "rows of shard " + someShard);
        assertTrue(one.collectAsList().stream().allMatch(r -> r.<Integer>getAs(DatasetSchema.SHARD) == someShard),
                "only shard " + someShard + " expected");
    }

    @Test
    void openRefusesADirectoryWithoutAManifest() throws Exception {
        Path half = tmp.resolve("half-written");
        Files.createDirectories(half.resolve("shard=0"));
        Files.write(half.resolve("shard=0").resolve("part-0.parquet"), new byte[]{1, 2, 3});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageDataset.open(spark(), half.toString()));
        assertTrue(e.getMessage().contains(half.toString()) && e.getMessage().contains(DatasetLayout.MANIFEST),
                "expected the path and the missing manifest named, got: " + e.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ImageDataset.open(spark(), tmp.resolve("nowhere").toString()));
        assertTrue(missing.getMessage().contains("does not exist"), "message: " + missing.getMessage());
    }
}
