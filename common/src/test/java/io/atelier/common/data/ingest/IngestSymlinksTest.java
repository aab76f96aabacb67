package io.atelier.common.data.ingest;

import io.atelier.common.testing.SampleImages;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static io.atelier.common.data.ingest.IngestTesting.assertReconciles;
import static io.atelier.common.data.ingest.IngestTesting.ingest;
import static io.atelier.common.data.ingest.IngestTesting.options;
import static io.atelier.common.data.ingest.IngestTesting.origin;
import static io.atelier.common.data.ingest.IngestTesting.quarantineReasons;
import static io.atelier.common.data.ingest.IngestTesting.rows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Symbolic links in a folder input: followed inside the input, once; the others counted and quarantined. */
class IngestSymlinksTest {
    @TempDir
    Path tmp;

    private static void image(Path file, int variant) {
        SampleImages.write(file, SampleImages.shape(variant % 4, variant, 20, 20), "png");
    }

    @Test
    void linksThatLeaveTheInputLoopOrDangleAreQuarantinedWithTheirReason() throws IOException {
        Path in = tmp.resolve("in");
        image(in.resolve("cats/a.png"), 1);
        image(in.resolve("dogs/b.png"), 2);
        image(in.resolve("_raw/c.png"), 3);                       // hidden: read only through the link below
        image(tmp.resolve("private/secret.png"), 4);              // outside the input
        Files.createSymbolicLink(in.resolve("birds"), Path.of("_raw"));
        Files.createSymbolicLink(in.resolve("cats/b-again.png"), Path.of("../dogs/b.png"));
        Files.createSymbolicLink(in.resolve("cats/secret.png"), tmp.resolve("private/secret.png"));
        Files.createSymbolicLink(in.resolve("cats/private"), tmp.resolve("private"));
        Files.createSymbolicLink(in.resolve("cats/gone.png"), Path.of("no-such.png"));
        Files.createSymbolicLink(in.resolve("cats/up"), Path.of(".."));
        Files.createSymbolicLink(in.resolve("dogs/up"), Path.of(".."));
        Files.createSymbolicLink(in.resolve("dogs/cats"), Path.of("../cats"));
        Files.createSymbolicLink(in.resolve("dogs/ping.png"), Path.of("pong.png"));
        Files.createSymbolicLink(in.resolve("dogs/pong.png"), Path.of("ping.png"));
        Path out = tmp.resolve("ds");

        IngestSummary s = ingest(options(List.of(in.toString()), out, 16));

        assertEquals("in 12 = accepted 3 + duplicates 1 + quarantined 8", s.line());
        assertReconciles(s, out);
        TreeSet<String> stored = new TreeSet<>();
        for (Row r : rows(out)) {
            stored.add(in.relativize(Path.of(origin(r).replaceFirst("^file:", ""))).toString());
        }
        assertEquals(new TreeSet<>(List.of("birds/c.png", "cats/a.png", "cats/b-again.png")), stored,
                "rows: the in-tree links are followed (b-again duplicates dogs/b.png, which sorts later)");
        Map<String, String> reasons = new java.util.TreeMap<>();
        quarantineReasons(out).forEach((origin, reason) ->
                reasons.put(in.relativize(Path.of(origin.replaceFirst("^file:", ""))).toString(), reason));
        assertEquals(new TreeSet<>(List.of("cats/gone.png", "cats/private", "cats/secret.png", "cats/up", "dogs/cats",
                "dogs/ping.png", "dogs/up", "dogs/pong.png")), reasons.keySet(), "quarantined: " + reasons);
        assertTrue(reasons.get("cats/secret.png").contains("outside the input"), reasons.toString());
        assertTrue(reasons.get("cats/private").contains("outside the input"), reasons.toString());
        assertTrue(reasons.get("cats/gone.png").contains("dangling"), reasons.toString());
        assertTrue(reasons.get("cats/up").contains("loop"), reasons.toString());
        assertTrue(reasons.get("dogs/up").contains("loop"), reasons.toString());
        assertTrue(reasons.get("dogs/cats").contains("already listed"), reasons.toString());
        assertTrue(reasons.get("dogs/ping.png").contains("loop"), reasons.toString());
    }

    @Test
    void twoLoopLinksAreListedOnceAndQuickly() throws IOException {
        Path in = tmp.resolve("in");
        image(in.resolve("a/x.png"), 1);
        image(in.resolve("b/y.png"), 2);
        Files.createSymbolicLink(in.resolve("a/loop"), Path.of(".."));
        Files.createSymbolicLink(in.resolve("b/loop"), Path.of(".."));
        IngestOptions o = options(List.of(in.toString()), tmp.resolve("ds"), 16);

        InputPlan plan = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> new InputPlanner(o, new Configuration(), 2).plan());

        assertEquals(4, plan.knownItems(), "two images and two loop links, each once");
        FolderListing listing = FolderListing.of(new org.apache.hadoop.fs.Path(in.toString()), new Configuration());
        assertEquals(List.of("a/x.png", "b/y.png"), listing.files().stream().map(FolderListing.Entry::relative).toList());
        assertEquals(List.of("a/loop", "b/loop"), listing.skipped().stream().map(FolderListing.Skipped::relative).toList());
    }
}
