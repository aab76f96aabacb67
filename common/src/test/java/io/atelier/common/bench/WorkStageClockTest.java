package io.atelier.common.bench;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkStageClockTest {
    @Test
    void marksTheStartOfTheFirstJobDescribedAsTheWorkStageOnly() throws InterruptedException {
        SparkSession spark = SparkSession.builder().master("local[1]").appName("work-stage-clock-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
        try {
            WorkStageClock clock = new WorkStageClock();
            spark.sparkContext().addSparkListener(clock);
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            spark.sparkContext().setJobDescription("stylize: list and check the inputs");
            jsc.parallelize(List.of(1, 2, 3)).count();
            long before = System.currentTimeMillis();
            spark.sparkContext().setJobDescription("stylize: 3 (image, style) pairs in 1 tasks, one per listed unit");
            jsc.parallelize(List.of(1, 2, 3)).count();
            long after = System.currentTimeMillis();
            spark.sparkContext().setJobDescription("stylize: 3 (image, style) pairs in 1 tasks, one per listed unit");
            jsc.parallelize(List.of(1, 2, 3)).count();
            for (int i = 0; i < 50 && clock.startedAt() == 0; i++) {
                Thread.sleep(100); // the listener bus is asynchronous
            }
            assertTrue(clock.startedAt() >= before && clock.startedAt() <= after,
                    before + " <= " + clock.startedAt() + " <= " + after + ": the first work-stage job, not the listing");
            clock.reset();
            assertEquals(0, clock.startedAt());
        } finally {
            spark.stop();
        }
    }
}
