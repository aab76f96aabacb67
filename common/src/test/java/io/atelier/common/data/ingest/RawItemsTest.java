package io.atelier.common.data.ingest;

import io.atelier.common.testing.LocalSpark;
import io.atelier.common.testing.SampleImages;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RawItemsTest {
    @TempDir
    Path tmp;

    /**
     * The units a reading task holds at once stay at a fixed file count however large the folder
     * (ingest's automatic sizing would cut 1,000 files into 16-file units on 2 cores, and 100,000
     * into 256-file units).
     */
    @Test
    void folderUnitsHoldAFixedNumberOfFilesAndEveryFileOnce() {
        int unit = 32;
        int files = 3 * unit + 5;
        Path root = SampleImages.folderTree(tmp.resolve("catalog"), Map.of("a", files - 40, "b", 40), 8);
        JavaRDD<Row> items = RawItems.read(LocalSpark.get(), root.toString(), 1 << 20, unit);

        List<Integer> perPartition = items.glom().map(List::size).collect();
        assertEquals(4, perPartition.size(), "partitions: " + perPartition);
        assertTrue(perPartition.stream().allMatch(n -> n <= unit), "items per partition: " + perPartition);

        Set<String> origins = new HashSet<>(items.map(r -> r.getString(0)).collect());
        assertEquals(files, origins.size(), "every file once");
        assertEquals(files, items.count(), "no file twice");
    }
}
