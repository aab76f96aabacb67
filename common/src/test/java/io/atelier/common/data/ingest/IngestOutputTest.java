package io.atelier.common.data.ingest;

import io.atelier.common.data.DatasetLayout;
import io.atelier.common.testing.SampleImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static io.atelier.common.data.ingest.IngestTesting.ingest;
import static io.atelier.common.data.ingest.IngestTesting.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an ingest does to its --output: refuse early and touch nothing, or finish and publish. */
class IngestOutputTest {
    @TempDir
    Path tmp;

    private Path smallTree(String name, int perLabel) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("x", perLabel);
        counts.put("y", perLabel);
        return SampleImages.folderTree(tmp.resolve(name), counts, 20);
    }

    /** Every file under dir (hidden ones too): relative path -> size, modification time and a content hash. */
    private static Map<String, String> snapshot(Path dir) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                FileTime modified = Files.getLastModifiedTime(p);
                files.put(dir.relativize(p).toString(),
                        Files.size(p) + " " + modified.toMillis() + " " + Arrays.hashCode(Files.readAllBytes(p)));
            }
        }
        return files;
    }

    private List<String> siblings() throws IOException {
        try (Stream<Path> list = Files.list(tmp)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void anInputThatDoesNotExistIsRefusedByName() {
        Path missing = tmp.resolve("no-such-folder");
        Path out = tmp.resolve("ds");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ingest(options(List.of(missing.toString()), out, 16)));
        assertTrue(e.getMessage().contains(missing.toString()), "expected the missing input named, got: " + e.getMessage());
        assertFalse(Files.exists(out), "no output expected after a refused ingest");
    }

    @Test
    void anOutputHoldingADifferentDatasetIsRefusedAndLeftUntouched() throws IOException {
        Path out = tmp.resolve("ds");
        ingest(options(List.of(smallTree("first", 3).toString()), out, 16));
        Path other = smallTree("second", 2);
        Map<String, String> before = snapshot(out);
        List<String> siblingsBefore = siblings();

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ingest(options(List.of(other.toString()), out, 16)));
        assertTrue(e.getMessage().contains("already holds a different dataset"), "message: " + e.getMessage());
        assertTrue(e.getMessage().contains(out.toString()), "expected the output named, got: " + e.getMessage());
        assertEquals(before, snapshot(out), "files of the existing dataset (size, mtime, content)");

        // Same inputs, different options: also a different dataset.
        assertThrows(IllegalArgumentException.class,
                () -> ingest(options(List.of(tmp.resolve("first").toString()), out, 24)));
        assertEquals(before, snapshot(out), "files of the existing dataset after a second refusal");
        assertEquals(siblingsBefore, siblings(), "no staging directories left beside the output");
    }

    @Test
    void theIdenticalIngestAgainReportsAlreadyPresentAndRewritesNothing() throws IOException {
        Path in = smallTree("in", 3);
        Path out = tmp.resolve("ds");
        IngestSummary first = ingest(options(List.of(in.toString()), out, 16));
        assertFalse(first.alreadyPresent(), "first run writes");
        Map<String, String> before = snapshot(out);
        List<String> siblingsBefore = siblings();

        IngestSummary again = ingest(options(List.of(in.toString()), out, 16));
        assertTrue(again.alreadyPresent(), "second identical run expected to report alreadyPresent");
        assertEquals(first.line(), again.line(), "reported counts");
        assertEquals(first.manifest().counts(), again.manifest().counts(), "manifest counts");
        assertEquals(before, snapshot(out), "dataset files (size, mtime, content)");
        assertEquals(siblingsBefore, siblings(), "no staging directories left beside the output");
    }

    @Test
    void whatAppearsAtTheOutputWhileTheIngestRunsIsNotOverwritten() throws IOException {
        Path in = smallTree("in", 2);
        Path out = tmp.resolve("ds");
        // The last progress update comes after every item is read and before anything is written.
        IngestProgress intruder = (seen, accepted, quarantined, expected) -> {
            if (seen == expected && !Files.exists(out)) {
                SampleImages.write(out.resolve("someone-elses.txt"), "precious".getBytes());
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new Ingest(IngestTesting.spark(), options(List.of(in.toString()), out, 16)).run(intruder));
        assertTrue(e.getMessage().contains("was written by something else"), "message: " + e.getMessage());
        assertEquals(List.of("someone-elses.txt"), Files.list(out).map(p -> p.getFileName().toString()).toList(),
                "the output's content");
        assertEquals(List.of("ds", "in"), siblings(), "no staging directories left beside the output");
    }

    @Test
    void aNonEmptyDirectoryThatIsNotADatasetIsRefusedAndAnEmptyOneIsUsed() throws IOException {
        Path in = smallTree("in", 2);
        Path occupied = tmp.resolve("occupied");
        SampleImages.write(occupied.resolve("thesis.txt"), "precious".getBytes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ingest(options(List.of(in.toString()), occupied, 16)));
        assertTrue(e.getMessage().contains("not an Atelier dataset"), "message: " + e.getMessage());
        assertEquals(List.of("thesis.txt"), Files.list(occupied).map(p -> p.getFileName().toString()).toList(),
                "the occupied directory's content");

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        IngestSummary s = ingest(options(List.of(in.toString()), empty, 16));
        assertEquals(4, s.accepted(), "rows written into the empty directory");
        assertTrue(Files.exists(empty.resolve(DatasetLayout.MANIFEST)), "manifest in the formerly empty directory");

        Path nested = tmp.resolve("a").resolve("b").resolve("ds");
        ingest(options(List.of(in.toString()), nested, 16));
        assertTrue(Files.exists(nested.resolve(DatasetLayout.MANIFEST)), "output under parents that did not exist");
    }
}
