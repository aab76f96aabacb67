package io.atelier.jobs;

import io.atelier.common.data.ImageDataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import static io.atelier.jobs.AtelierCliTest.atelier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The README's main command, at a tiny scale: every stage runs, and a re-run reuses it all. */
@ExtendWith(StopSparkAfterAll.class)
class QuickstartCommandTest {
    static final Path ROOT = Path.of(System.getProperty("atelier.repo.root", "..")).toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void runsEveryStageOnTheVendoredDataAndReusesThemOnARerun() {
        Path out = tmp.resolve("qs");
        String[] args = {"quickstart", "--data", ROOT.resolve("data/fashion-mnist").toString(), "--out", out.toString(),
                "--rounds", "1", "--count", "30", "--master", "local[2]"};
        AtelierCliTest.Result first = atelier(args);
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("in 10000 = accepted"), first.out());
        for (String file : new String[]{"dataset-grid.png", "dcgan/report.html", "dcgan/config.json",
                "dcgan/samples/round-0001.png", "generated-grid.png"}) {
            assertTrue(Files.isRegularFile(out.resolve(file)), file + " written");
        }

        // A conditional run generates a labelled dataset: 30 samples spread evenly over 10 classes.
        SparkSession spark = SparkSession.active();
        ImageDataset generated = ImageDataset.open(spark, out.resolve("generated").toString());
        Map<Integer, Long> perLabel = new TreeMap<>();
        for (Row row : generated.rows(spark).select("label").collectAsList()) {
            perLabel.merge(row.getInt(0), 1L, Long::sum);
        }
        assertEquals(10, perLabel.size(), "classes in " + perLabel);
        perLabel.values().forEach(n -> assertEquals(3L, n, "samples per class in " + perLabel));

        AtelierCliTest.Result again = atelier(args);
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("(resuming)"), again.out());
        assertTrue(again.out().contains("nothing to do"), again.out());
    }
}
