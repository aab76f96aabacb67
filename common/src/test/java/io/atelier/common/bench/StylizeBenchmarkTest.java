package io.atelier.common.bench;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StylizeBenchmarkTest {
    /** A tiny catalog through the real stylize job: the memory rows split the work stage from planning. */
    @Test
    void aCatalogRunReportsTheWorkStageApartFromListingAndPlanning(@TempDir Path tmp) throws Exception {
        AtomicInteger sessions = new AtomicInteger();
        Supplier<SparkSession> fresh = () -> {
            sessions.incrementAndGet();
            return SparkSession.builder().master("local[2]").appName("stylize-benchmark-test")
                    .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
        };
        try {
            BenchTable table = StylizeBenchmark.run(fresh, new StylizeBenchmark.Options(null, null, List.of(), 1, 0,
                    List.of(16, 8), 32, tmp));
            assertEquals(2, sessions.get(), "one session per catalog");
            List<List<String>> rows = table.rows();
            List<String> median = find(rows, "executor live heap, median (MiB)", "16 images, work stage");
            assertTrue(median.get(2).matches("\\d+ \\(16 stylized, [0-9.]+ images/s\\)"), median.toString());
            List<String> largest = find(rows, "executor live heap, largest sample (MiB)", "16 images, work stage");
            assertTrue(largest.get(2).matches("\\d+ at \\d+ s of \\d+"), largest.toString());
            List<String> planning = find(rows, "executor live heap, largest sample (MiB)", "16 images, listing and planning");
            assertTrue(planning.get(2).matches("\\d+ \\(median \\d+, over \\d+ s\\)"), planning.toString());
            List<String> quarters = find(rows, "  first / last quarter of the stage", "16 images, work stage");
            assertTrue(quarters.get(2).matches("\\d+ / \\d+"), quarters.toString());
            List<String> resident = find(rows, "executor peak resident set (MiB)", "16 images, 32 px, whole job");
            List<String> sampled = find(rows, "executor resident set, largest sample (MiB)", "16 images, work stage");
            assertTrue(Integer.parseInt(sampled.get(2)) <= Integer.parseInt(resident.get(2)),
                    "samples never exceed the high-water mark: " + sampled + " " + resident);
            assertTrue(resident.get(2).matches("\\d+") && Integer.parseInt(resident.get(2)) > 100,
                    "a JVM with Spark and ND4J loaded holds more than 100 MiB: " + resident);
            List<String> rerun = find(rows, "executor live heap, largest sample (MiB)", "16 images, re-run with nothing to do");
            assertTrue(rerun.get(2).matches("\\d+ \\(median \\d+, [0-9.]+ s, 16 skipped, 0 stylized\\)"), rerun.toString());
            find(rows, "executor live heap, median (MiB)", "8 images, work stage");
            assertTrue(SparkSession.getActiveSession().isEmpty() || SparkSession.active().sparkContext().isStopped(),
                    "the bench stops the sessions it was given");
        } finally {
            SparkSession.getActiveSession().foreach(s -> {
                s.stop();
                return null;
            });
        }
    }

    private static List<String> find(List<List<String>> rows, String measure, String setting) {
        List<List<String>> found = rows.stream().filter(r -> r.get(0).equals(measure) && r.get(1).equals(setting)).toList();
        assertEquals(1, found.size(), measure + " / " + setting + " in " + rows);
        return found.get(0);
    }
}
