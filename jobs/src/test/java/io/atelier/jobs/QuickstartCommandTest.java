package io.atelier.jobs;

import io.atelier.common.data.ImageDataset;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

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

        SparkSession spark = SparkSession.active();
        ImageDataset generated = ImageDataset.open(spark, out.resolve("generated").toString());
        assertEquals(30, generated.rows(spark).count(), "generated rows");
        assertEquals(28, generated.manifest().height());

        AtelierCliTest.Result again = atelier(args);
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("(resuming)"), again.out());
        assertTrue(again.out().contains("nothing to do"), again.out());
    }
}
