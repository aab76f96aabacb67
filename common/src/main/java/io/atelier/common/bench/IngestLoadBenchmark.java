package io.atelier.common.bench;

import io.atelier.common.data.ingest.Ingest;
import io.atelier.common.data.ingest.IngestOptions;
import io.atelier.common.data.ingest.IngestProgress;
import io.atelier.common.data.ingest.IngestSummary;
import org.apache.spark.sql.SparkSession;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * {@code atelier bench ingest-load}: {@code ingest} of folders of growing size, side by side in one
 * driver: images/s, the driver's live heap and resident set, the summary's reconciliation against
 * what the folder was made to hold, and a re-run with nothing to do. Each folder holds small
 * synthetic photos (every 10th a PNG, the rest JPEG), an exact copy of every 50th and a truncated
 * JPEG per 1,000, so in = stored + duplicates + quarantined is checked with all three non-zero.
 */
public final class IngestLoadBenchmark {
    static final int PNG_EVERY = 10;
    static final int COPY_EVERY = 50;
    static final int BROKEN_EVERY = 1000;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(IngestLoadBenchmark.class);

    private IngestLoadBenchmark() {
    }

    /**
     * @param counts distinct photos per folder, in the order run
     * @param width  the photos' width (height is 3/4 of it)
     * @param size   ingest's stored size
     */
    public static BenchTable run(SparkSession spark, List<Integer> counts, int width, int size, Path workDir)
            throws IOException {
        int cores = Runtime.getRuntime().availableProcessors();
        int height = width * 3 / 4;
        BenchTable table = new BenchTable("bench ingest-load: folders of " + width + "x" + height
                + " photos (JPEG, every " + PNG_EVERY + "th PNG) -> " + size + "px, master "
                + spark.sparkContext().master() + ", " + cores + " cores, driver -Xmx "
                + DriverMemory.mib(Runtime.getRuntime().maxMemory()) + " MiB",
                "files", "folder MiB", "seconds", "images/s", "driver live heap MiB (before / median / peak / after)",
                "driver peak RSS MiB", "summary (expected)", "reconciles", "re-run s", "load avg (start / end)");
        for (int n : counts) {
            Path folder = workDir.resolve("photos-" + n);
            Expected expected = writeFolder(folder, n, width, height);
            Path out = workDir.resolve("dataset-" + n);
            IngestOptions options = IngestOptions.of(List.of(folder.toUri().toString()), out.toUri().toString(), size)
                    .withChannels(3);
            String loadBefore = DriverMemory.loadAverage();
            DriverMemory memory = DriverMemory.start();
            long t0 = System.nanoTime();
            IngestSummary s = new Ingest(spark, options).run(IngestProgress.NONE);
            double seconds = (System.nanoTime() - t0) / 1e9;
            DriverMemory.Figures f = memory.stop();
            String loadAfter = DriverMemory.loadAverage();
            long t1 = System.nanoTime();
            IngestSummary again = new Ingest(spark, options).run(IngestProgress.NONE);
            double rerun = (System.nanoTime() - t1) / 1e9;
            boolean reconciles = s.in() == s.accepted() + s.duplicates() + s.quarantined()
                    && s.in() == expected.files() && s.accepted() == expected.stored()
                    && s.duplicates() == expected.duplicates() && s.quarantined() == expected.broken()
                    && s.manifest().counts().rows() == s.accepted();
            table.row(String.format("%,d", expected.files()), BenchSupport.fmt("%.0f", folderBytes(folder) / 1048576.0),
                    BenchSupport.fmt("%.0f", seconds), BenchSupport.fmt("%.0f", s.in() / seconds),
                    DriverMemory.mib(f.before()) + " / " + DriverMemory.mib(f.median()) + " / "
                            + DriverMemory.mib(f.peak()) + " / " + DriverMemory.mib(f.after()),
                    DriverMemory.mib(f.peakResident()),
                    s.line() + " (" + expected.stored() + " + " + expected.duplicates() + " + " + expected.broken() + ")",
                    reconciles ? "yes" : "NO",
                    BenchSupport.fmt("%.1f", rerun) + (again.alreadyPresent() ? " (nothing to do)" : " (ingested again!)"),
                    loadBefore + " / " + loadAfter);
            LOG.info("bench ingest-load: {}", table.rows().get(table.rows().size() - 1));
            org.apache.commons.io.FileUtils.deleteQuietly(out.toFile());
            org.apache.commons.io.FileUtils.deleteQuietly(folder.toFile());
        }
        table.note("Files: N distinct photos, an exact copy of every " + COPY_EVERY + "th (a duplicate) and a JPEG cut"
                + " to 200 bytes per " + BROKEN_EVERY + " (quarantined); reconciles: the summary's in = accepted +"
                + " duplicates + quarantined, each equal to what the folder was made with, and the manifest's rows ="
                + " accepted. Live heap: what a full collection forced every " + DriverMemory.PERIOD_MS + " ms leaves"
                + " in use. Peak RSS: the kernel's high-water mark over the first run, reset at its start. Re-run: the"
                + " same ingest again into the finished output (listing and the manifest check only)."
                + (spark.sparkContext().isLocal() ? " Local master: the executors run in this JVM, so its heap and"
                + " RSS include their tasks." : ""));
        return table;
    }

    /** What a folder was made to hold: files in all, images to store, exact copies, broken files. */
    record Expected(long files, long stored, long duplicates, long broken) {
    }

    static Expected writeFolder(Path folder, int n, int width, int height) throws IOException {
        SyntheticPhotos.write(folder, n, width, height, n);
        long copies = 0;
        long broken = 0;
        for (int i = 0; i < n; i++) {
            Path jpeg = folder.resolve(String.format("photo-%06d.jpg", i));
            if (i % PNG_EVERY == PNG_EVERY - 1) {
                BufferedImage image = ImageIO.read(jpeg.toFile());
                Path png = folder.resolve(String.format("photo-%06d.png", i));
                ImageIO.write(image, "png", png.toFile());
                Files.delete(jpeg);
                jpeg = png;
            }
            if (i % COPY_EVERY == 0) {
                Files.copy(jpeg, folder.resolve("copy-" + jpeg.getFileName()));
                copies++;
            }
            if (i % BROKEN_EVERY == 0 && !jpeg.toString().endsWith(".png")) {
                Files.write(folder.resolve("broken-" + jpeg.getFileName()), Arrays.copyOf(Files.readAllBytes(jpeg), 200));
                broken++;
            }
        }
        return new Expected(n + copies + broken, n, copies, broken);
    }

    private static long folderBytes(Path folder) throws IOException {
        try (var files = Files.list(folder)) {
            return files.mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
