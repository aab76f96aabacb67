package io.atelier.common.stylize;

import io.atelier.common.style.FastStyleModel;
import io.atelier.common.style.TransformerNet;
import io.atelier.common.testing.LocalSpark;
import io.atelier.common.testing.SampleImages;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A re-run keys unchanged files from the output's listing and decodes only what is new or changed. */
class StylizeListingTest {
    @TempDir
    Path tmp;

    /** Stopped, as the other stylize test classes stop theirs: a later class's getOrCreate then gets its own settings. */
    @AfterAll
    static void stop() {
        LocalSpark.get().stop();
    }

    private static final FastStyleModel MODEL = new FastStyleModel("untrained", "none",
            new TransformerNet.Config(4, 1), TransformerNet.initial(new TransformerNet.Config(4, 1), 1), Map.of());

    /** Six images in two folders and a zip of three more inside the folder, plus one broken file. */
    private Path catalog() throws IOException {
        Path dir = tmp.resolve("catalog");
        for (int i = 0; i < 6; i++) {
            SampleImages.write(dir.resolve((i % 2 == 0 ? "cats" : "dogs") + "/p" + i + ".png"),
                    SampleImages.shape(i % 4, i, 20, 16), "png");
        }
        SampleImages.write(dir.resolve("cats/broken.png"), new byte[]{1, 2, 3});
        Path packed = tmp.resolve("packed");
        for (int i = 0; i < 3; i++) {
            SampleImages.write(packed.resolve("z" + i + ".png"), SampleImages.shape(i % 4, 100 + i, 20, 16), "png");
        }
        SampleImages.zip(packed, dir.resolve("more.zip"));
        return dir;
    }

    private StylizeJob.Summary run(Path in, Path out, long maxPixels) {
        StylizeJob.Catalog c = new StylizeJob.Catalog("stylize", in.toString(), out.toString(), null, maxPixels,
                256L << 20, 2);
        return new StylizeJob(LocalSpark.get()).run(c, List.of(StyleSpec.fast(MODEL, "untrained", 16, false)),
                StylizeJob.Progress.NONE);
    }

    private static long rows(Path out) {
        return SparkSession.active().read().parquet(out.toString()).count();
    }

    private static long distinctPairs(Path out) {
        return SparkSession.active().read().parquet(out.toString()).select("id", "style").distinct().count();
    }

    private static String summary(StylizeJob.Summary s) {
        return "decoded " + s.decoded() + ", stylized " + s.stylized() + ", skipped " + s.skipped() + ", quarantined "
                + s.quarantined();
    }

    @Test
    void aRerunOfAnUnchangedFolderAndArchiveDecodesNothing() throws IOException {
        Path in = catalog();
        Path out = tmp.resolve("out");
        StylizeJob.Summary first = run(in, out, 1_000_000);
        assertEquals(10, first.decoded(), summary(first));
        assertEquals(9, first.stylized(), summary(first));
        assertEquals(1, first.quarantined(), summary(first));

        StylizeJob.Summary again = run(in, out, 1_000_000);
        assertEquals(0, again.decoded(), "nothing changed, so nothing is decoded: " + summary(again));
        assertEquals(0, again.stylized(), summary(again));
        assertEquals(9, again.skipped(), summary(again));
        assertEquals(1, again.quarantined(), "the broken file stays quarantined from the listing: " + summary(again));
        assertTrue(Files.isDirectory(out.resolve("_quarantine")));
        assertEquals(9, rows(out));

        // Keys made under other limits are not trusted: their quarantine reasons could differ.
        StylizeJob.Summary otherLimits = run(in, out, 2_000_000);
        assertEquals(10, otherLimits.decoded(), summary(otherLimits));
        assertEquals(0, otherLimits.stylized(), summary(otherLimits));
        assertEquals(9, rows(out));
        try (var names = Files.list(out)) {
            assertFalse(names.anyMatch(p -> p.getFileName().toString().startsWith("_listing-")),
                    "no listing left aside");
        }
    }

    @Test
    void rewrittenAddedTouchedAndRemovedFilesAreSeenAndOnlyThoseDecoded() throws IOException {
        Path in = catalog();
        Path out = tmp.resolve("out");
        run(in, out, 1_000_000);

        // Rewritten with other pixels (same path), an image added, one removed, one touched only.
        Path rewritten = in.resolve("cats/p0.png");
        SampleImages.write(rewritten, SampleImages.shape(3, 77, 20, 16), "png");
        Files.setLastModifiedTime(rewritten, FileTime.fromMillis(Files.getLastModifiedTime(rewritten).toMillis() + 5000));
        SampleImages.write(in.resolve("dogs/new.png"), SampleImages.shape(2, 55, 20, 16), "png");
        Files.delete(in.resolve("dogs/p1.png"));
        Path touched = in.resolve("dogs/p3.png");
        Files.setLastModifiedTime(touched, FileTime.fromMillis(Files.getLastModifiedTime(touched).toMillis() + 5000));
        StylizeJob.Summary s = run(in, out, 1_000_000);
        assertEquals(3, s.decoded(), "the rewritten, added and touched files only: " + summary(s));
        assertEquals(2, s.stylized(), "the rewritten and the added image: " + summary(s));
        assertEquals(10, s.images(), summary(s));
        assertEquals(11, rows(out));
        assertEquals(11, distinctPairs(out), "every (id, style) once");

        // The archive rewritten with a fourth entry: read again as a whole, only the new entry stylized.
        Path packed = tmp.resolve("packed");
        SampleImages.write(packed.resolve("z3.png"), SampleImages.shape(1, 103, 20, 16), "png");
        Path zip = in.resolve("more.zip");
        SampleImages.zip(packed, zip);
        Files.setLastModifiedTime(zip, FileTime.fromMillis(Files.getLastModifiedTime(zip).toMillis() + 5000));
        StylizeJob.Summary archive = run(in, out, 1_000_000);
        assertEquals(4, archive.decoded(), summary(archive));
        assertEquals(1, archive.stylized(), summary(archive));
        assertEquals(12, rows(out));
        assertEquals(12, distinctPairs(out));

        StylizeJob.Summary quiet = run(in, out, 1_000_000);
        assertEquals(0, quiet.decoded(), summary(quiet));
        assertEquals(0, quiet.stylized(), summary(quiet));
    }
}
