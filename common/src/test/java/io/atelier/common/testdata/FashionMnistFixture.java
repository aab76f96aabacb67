package io.atelier.common.testdata;

import io.atelier.common.data.ingest.Ingest;
import io.atelier.common.data.ingest.IngestOptions;
import io.atelier.common.data.ingest.IngestProgress;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;

/**
 * The vendored Fashion-MNIST test set (10,000 images) ingested once per test JVM (shards 4, test
 * fraction 0.1, seed 42), shared by the test classes that need real images.
 */
public final class FashionMnistFixture {
    private static String path;

    private FashionMnistFixture() {
    }

    public static synchronized String dataset(SparkSession spark) {
        if (path == null) {
            String images = System.getProperty("atelier.repo.root") + "/data/fashion-mnist/t10k-images-idx3-ubyte.gz";
            try {
                String out = Files.createTempDirectory("fashion-mnist-").resolve("dataset").toString();
                new Ingest(spark, IngestOptions.of(List.of(images), out, 28).withShards(4)).run(IngestProgress.NONE);
                path = out;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return path;
    }
}
