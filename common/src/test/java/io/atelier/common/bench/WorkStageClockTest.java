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
            String work = "stylize: 3 (image, style) pairs in 1 tasks, one per listed unit";
            spark.sparkContext().setJobDescription("stylize: list and check the inputs");
            jsc.parallelize(List.of(1, 2, 3)).count();
            long before = System.currentTimeMillis();
            spark.sparkContext().setJobDescription(work);
            jsc.parallelize(List.of(1, 2, 3)).count();
            long after = System.currentTimeMillis();
            jsc.parallelize(List.of(1, 2, 3)).count();
            awaitBus(clock);
            assertTrue(clock.startedAt() >= before && clock.startedAt() <= after,
                    before + " <= " + clock.startedAt() + " <= " + after + ": the first work-stage job, not the listing");

            // The thread keeps the work stage's description: the memory sampler's jobs must not inherit it.
            clock.reset();
            assertEquals(0, clock.startedAt());
            ExecutorHeap.start(spark);
            ExecutorHeap.stop(spark);
            Thread.sleep(1000);
            assertEquals(0, clock.startedAt(), "the sampler's jobs are not the work stage");
        } finally {
            spark.stop();
        }
    }

    private static void awaitBus(WorkStageClock clock) throws InterruptedException {
        for (int i = 0; i < 50 && clock.startedAt() == 0; i++) {
            Thread.sleep(100); // the listener bus is asynchronous
        }
    }
}
