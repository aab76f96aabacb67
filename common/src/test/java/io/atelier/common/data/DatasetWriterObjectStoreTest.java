package io.atelier.common.data;

import io.atelier.common.testdata.NoiseDataset;
import io.atelier.common.testing.LocalSpark;
import io.atelier.common.testing.ObjectStoreLikeFileSystem;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Publishing a dataset onto a store whose directory rename copies file by file (S3A): a reader
 * that takes a dataset by its manifest never finds the manifest while shards are still arriving.
 */
class DatasetWriterObjectStoreTest {
    @TempDir
    java.nio.file.Path tmp;

    @AfterEach
    void forgetProbe() {
        ObjectStoreLikeFileSystem.probe = dst -> { };
    }

    @Test
    void theManifestAppearsOnlyAfterEveryShardHasArrived() {
        SparkSession spark = LocalSpark.get();
        Configuration conf = ObjectStoreLikeFileSystem.register(spark.sparkContext().hadoopConfiguration());
        String out = ObjectStoreLikeFileSystem.uri(tmp.resolve("generated"));
        Path outPath = new Path(out);
        List<Boolean> sealedWhileMoving = new CopyOnWriteArrayList<>();
        ObjectStoreLikeFileSystem.probe = dst -> {
            if (dst.toUri().getPath().equals(outPath.toUri().getPath())) {
                sealedWhileMoving.add(ImageDataset.isDataset(out, conf));
            }
        };

        NoiseDataset.write(spark, out, 12, 8, 3);

        assertTrue(sealedWhileMoving.size() >= 2, "the publish moved the shards one file at a time: " + sealedWhileMoving);
        assertFalse(sealedWhileMoving.contains(true),
                "the manifest was visible before the last shard had arrived: " + sealedWhileMoving);
        assertTrue(ImageDataset.isDataset(out, conf), "sealed once published");
        assertEquals(12, ImageDataset.open(spark, out).manifest().counts().rows());
        assertEquals(12, spark.read().parquet(out).count(), "every row arrived");
    }
}
