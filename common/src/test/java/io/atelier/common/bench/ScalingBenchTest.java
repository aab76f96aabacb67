package io.atelier.common.bench;

import io.atelier.common.train.TestSpark;
import io.atelier.common.train.TinyDataset;
import io.atelier.common.train.TinyLogisticTrainer;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScalingBenchTest {
    private static final int BATCH = 8;

    @TempDir
    static Path tmp;
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = TestSpark.builder("local[2]").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void measuresEveryWorkerCountAndLocalStepCount() throws Exception {
        String data = TinyDataset.write(spark, tmp.resolve("data"), 2, 12).toString();
        ScalingBench.Options options = new ScalingBench.Options(List.of(1, 2), List.of(1, 5), 2, 1, 3);

        List<ScalingBench.Row> rows = ScalingBench.run(spark, new TinyLogisticTrainer(TinyDataset.INPUTS, BATCH, 0.02f),
                data, options);

        assertEquals(List.of("1x1", "1x5", "2x1", "2x5"),
                rows.stream().map(r -> r.workers() + "x" + r.localSteps()).toList(), "workers x K, in order");
        for (ScalingBench.Row r : rows) {
            assertTrue(r.roundSeconds() > 0 && r.stepsPerSecond() > 0, r.toString());
            assertEquals(r.stepsPerSecond() * r.workers() * BATCH, r.imagesPerSecond(), 1e-6 * r.imagesPerSecond(), r.toString());
            assertTrue(r.overheadShare() >= 0 && r.overheadShare() <= 1, r.toString());
            assertTrue(r.overheadSeconds() <= r.roundSeconds(), r.toString());
        }
        assertEquals(1.0, rows.get(0).speedup());
        assertEquals(rows.get(2).imagesPerSecond() / rows.get(0).imagesPerSecond(), rows.get(2).speedup(), 1e-9,
                "speedup is against one worker at the same K");
    }
}
