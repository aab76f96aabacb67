package io.atelier.jobs;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as a user meets it: exit codes, the lines it prints, the files it leaves. */
@org.junit.jupiter.api.extension.ExtendWith(StopSparkAfterAll.class)
class AtelierCliTest {
    @TempDir
    static Path tmp;
    static Path photos;

    @BeforeAll
    static void makePhotos() throws IOException {
        photos = tmp.resolve("photos");
        Color[] colors = {Color.RED, Color.GREEN, Color.BLUE};
        for (String label : new String[]{"circles", "squares"}) {
            Files.createDirectories(photos.resolve(label));
            for (int i = 0; i < colors.length; i++) {
                BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = img.createGraphics();
                g.setColor(colors[i]);
                if (label.equals("circles")) {
                    g.fillOval(5, 5, 20, 20);
                } else {
                    g.fillRect(5 + i, 5, 20, 20);
                }
                g.dispose();
                ImageIO.write(img, "png", photos.resolve(label).resolve(i + ".png").toFile());
            }
        }
        Files.write(photos.resolve("squares").resolve("broken.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G', 1, 2});
    }

    record Result(int code, String out, String err) {
    }

    static Result atelier(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = AtelierCli.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void ingestPrintsReconciledCountsAndInspectDrawsOneRowPerLabel() throws IOException {
        Path out = tmp.resolve("shapes");
        Result ingest = atelier("ingest", "--input", photos.toString(), "--output", out.toString(), "--size", "16",
                "--master", "local[2]");
        assertEquals(0, ingest.code(), "ingest exit code; stderr: " + ingest.err());
        assertTrue(ingest.out().contains("in 7 = accepted 6 + duplicates 0 + quarantined 1"),
                "summary line missing from: " + ingest.out());
        assertTrue(Files.exists(out.resolve("_manifest.json")), "manifest written");
        assertTrue(Files.isDirectory(out.resolve("_quarantine")), "quarantine written");

        Path grid = tmp.resolve("grid.png");
        Result inspect = atelier("inspect", out.toString(), "--grid", grid.toString(), "--master", "local[2]");
        assertEquals(0, inspect.code(), "inspect exit code; stderr: " + inspect.err());
        assertTrue(inspect.out().contains("circles") && inspect.out().contains("squares"), inspect.out());
        BufferedImage sheet = ImageIO.read(grid.toFile());
        assertNotNull(sheet, "grid PNG reopens");
        // 16 px images scaled x4 to 64 px cells, 2 px gaps: two label rows.
        assertEquals(2 * (64 + 2) + 2, sheet.getHeight(), "two rows of cells");
    }

    @Test
    void missingInputIsOneLineErrorAndWritesNothing() {
        Path out = tmp.resolve("never");
        Result r = atelier("ingest", "--input", tmp.resolve("no-such-dir").toString(), "--output", out.toString(),
                "--size", "16", "--master", "local[2]");
        assertEquals(2, r.code(), "bad input exit code");
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), "one line, got: " + err);
        assertTrue(err.contains("no-such-dir") && err.contains("no such file"), err);
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void rerunAfterTheInputChangedIsRefusedInOneLineWithExitCode2() throws IOException {
        Path input = tmp.resolve("photos-changing");
        for (String label : new String[]{"circles", "squares"}) {
            Files.createDirectories(input.resolve(label));
            Files.copy(photos.resolve(label).resolve("0.png"), input.resolve(label).resolve("0.png"));
        }
        Path out = tmp.resolve("changing");
        Path stale = Files.createDirectories(tmp.resolve("changing.writing-" + java.util.UUID.randomUUID()));
        Files.writeString(stale.resolve("_writer"), "some-other-host 1 1\n");
        Files.setLastModifiedTime(stale.resolve("_writer"), java.nio.file.attribute.FileTime.fromMillis(0));
        Files.setLastModifiedTime(stale, java.nio.file.attribute.FileTime.fromMillis(0));
        Result first = atelier("ingest", "--input", input.toString(), "--output", out.toString(), "--size", "16",
                "--master", "local[2]");
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("removed 1 unfinished write(s)") && first.out().contains(stale.getFileName().toString()),
                "the killed run's staging directory is reported: " + first.out());
        assertFalse(Files.exists(stale), "and removed");

        Files.copy(photos.resolve("squares").resolve("1.png"), input.resolve("squares").resolve("1.png"));
        Result changed = atelier("ingest", "--input", input.toString(), "--output", out.toString(), "--size", "16",
                "--master", "local[2]");
        assertEquals(2, changed.code(), "a changed input is a different dataset; stdout: " + changed.out());
        String err = changed.err().strip();
        assertEquals(1, err.lines().count(), "one line, got: " + err);
        assertTrue(err.contains(out.toString()) && err.contains("2 files") && err.contains("3 files")
                && err.contains("choose a new --output or delete it"), err);
        assertFalse(changed.out().contains("already holds this dataset"), changed.out());
    }

    @Test
    void outputHoldingAnotherDatasetIsRefusedAndKeptIntact() throws IOException {
        Path out = tmp.resolve("kept");
        assertEquals(0, atelier("ingest", "--input", photos.toString(), "--output", out.toString(), "--size", "16",
                "--master", "local[2]").code());
        byte[] manifest = Files.readAllBytes(out.resolve("_manifest.json"));

        Result same = atelier("ingest", "--input", photos.toString(), "--output", out.toString(), "--size", "16",
                "--master", "local[2]");
        assertEquals(0, same.code(), same.err());
        assertTrue(same.out().contains("already holds this dataset"), same.out());

        Result other = atelier("ingest", "--input", photos.toString(), "--output", out.toString(), "--size", "24",
                "--master", "local[2]");
        assertEquals(2, other.code(), "a different dataset must be refused");
        assertTrue(other.err().contains("already holds a different dataset"), other.err());
        assertArrayEquals(manifest, Files.readAllBytes(out.resolve("_manifest.json")), "manifest untouched");
    }

    @Test
    void aGpuRunOnTheEmbeddedMasterIsRefusedInOneLineBeforeSparkStarts() {
        Path out = tmp.resolve("gpu-never");
        // as ATELIER_JAVA_OPTS=-Dspark.task.resource.gpu.amount=1 would pass it
        System.setProperty("spark.task.resource.gpu.amount", "1");
        Result r;
        try {
            r = atelier("ingest", "--input", photos.toString(), "--output", out.toString(), "--size", "16",
                    "--master", "local[2]");
        } finally {
            System.clearProperty("spark.task.resource.gpu.amount");
        }
        assertEquals(2, r.code(), r.err());
        assertEquals("atelier ingest: spark.task.resource.gpu.amount=1 asks for a GPU per task, but master local[2]"
                + " runs tasks in the driver, where Spark schedules no GPUs; use a cluster master with GPU executors"
                + " or leave spark.task.resource.gpu.amount out", r.err().strip());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void unknownFitNamesTheChoices() {
        Result r = atelier("ingest", "--input", photos.toString(), "--output", tmp.resolve("x").toString(),
                "--size", "16", "--fit", "zoom", "--master", "local[2]");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("crop, pad or stretch"), r.err());
    }

    @Test
    void libtorchStepWithoutTheTorchBuildSaysHowToGetIt() {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.atelier.common.bench.GanStep.provider("libtorch").isEmpty(),
                "built with -Ptorch");
        for (String[] args : new String[][]{{"bench", "gan-step", "--backend", "libtorch"}, {"bench", "gan-step", "--compare"}}) {
            Result r = atelier(args);
            assertEquals(2, r.code(), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains("mvn -Ptorch -DskipTests package"), r.err());
        }
    }
}
