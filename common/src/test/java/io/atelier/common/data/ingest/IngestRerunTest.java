package io.atelier.common.data.ingest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.atelier.common.data.DatasetLayout;
import io.atelier.common.io.Json;
import io.atelier.common.testing.SampleImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static io.atelier.common.data.ingest.IngestTesting.ingest;
import static io.atelier.common.data.ingest.IngestTesting.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Running an ingest again into the same --output: after its input changed, and after a killed run. */
class IngestRerunTest {
    @TempDir
    Path tmp;

    private Path tree(String name) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("x", 3);
        counts.put("y", 3);
        return SampleImages.folderTree(tmp.resolve(name), counts, 20);
    }

    private IngestOptions opts(Path in, Path out) {
        return options(List.of(in.toString()), out, 16);
    }

    /** The re-run must refuse: a one-line error naming the output and what to do. */
    private void assertRefusedAsChanged(Path in, Path out, String expectedChange) throws IOException {
        byte[] manifest = Files.readAllBytes(out.resolve(DatasetLayout.MANIFEST));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ingest(opts(in, out)),
                "a re-run after the input changed must not report 'already holds this dataset'");
        String m = e.getMessage();
        assertTrue(m.contains("output " + out) && m.contains("input changed") && m.contains(expectedChange)
                && m.contains("choose a new output or delete it"), "message: " + m);
        assertEquals(1, m.lines().count(), "one line: " + m);
        assertTrue(java.util.Arrays.equals(manifest, Files.readAllBytes(out.resolve(DatasetLayout.MANIFEST))),
                "the existing dataset's manifest is left as it was");
    }

    @Test
    void theSameInputAgainIsNothingToDoWithoutReadingAnImage() throws IOException {
        Path in = tree("in");
        Path out = tmp.resolve("ds");
        ingest(opts(in, out));
        // Unreadable now, with size and time unchanged: a re-run that opened images would notice.
        Path image = in.resolve("x/img-000.png");
        FileTime time = Files.getLastModifiedTime(image);
        byte[] garbage = new byte[(int) Files.size(image)];
        Files.write(image, garbage);
        Files.setLastModifiedTime(image, time);
        List<String> calls = new ArrayList<>();
        IngestProgress recorder = new IngestProgress() {
            @Override
            public void update(long seen, long accepted, long quarantined, long expected) {
                calls.add("update " + seen);
            }

            @Override
            public void decoded(long in) {
                calls.add("decoded " + in);
            }
        };
        IngestSummary again = new Ingest(IngestTesting.spark(), opts(in, out)).run(recorder);
        assertTrue(again.alreadyPresent(), "same listing: nothing to do");
        assertEquals("in 6 = accepted 6 + duplicates 0 + quarantined 0", again.line());
        assertEquals(List.of(), calls, "no item was read");
    }

    @Test
    void anAddedImageMakesADifferentDataset() throws IOException {
        Path in = tree("in");
        Path out = tmp.resolve("ds");
        ingest(opts(in, out));
        SampleImages.write(in.resolve("y/new.png"), SampleImages.shape(2, 40, 20, 20), "png");
        assertRefusedAsChanged(in, out, "6 files");
    }

    @Test
    void aRemovedImageMakesADifferentDataset() throws IOException {
        Path in = tree("in");
        Path out = tmp.resolve("ds");
        ingest(opts(in, out));
        Files.delete(in.resolve("x/img-001.png"));
        assertRefusedAsChanged(in, out, "5 files");
    }

    @Test
    void aFileRewrittenAtTheSameSizeMakesADifferentDataset() throws IOException {
        Path in = tree("in");
        Path out = tmp.resolve("ds");
        ingest(opts(in, out));
        Path image = in.resolve("x/img-000.png");
        byte[] bytes = Files.readAllBytes(image);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(image, bytes);
        Files.setLastModifiedTime(image, FileTime.from(Instant.now().plus(1, ChronoUnit.MINUTES)));
        assertRefusedAsChanged(in, out, "name or modification time changed");
    }

    @Test
    void aChangedSingleFileInputMakesADifferentDataset() throws IOException {
        Path zip = SampleImages.zip(tree("in"), tmp.resolve("in.zip"));
        Path out = tmp.resolve("ds");
        ingest(options(List.of(zip.toString()), out, 16));
        assertTrue(ingest(options(List.of(zip.toString()), out, 16)).alreadyPresent(), "unchanged archive");
        Files.setLastModifiedTime(zip, FileTime.from(Instant.now().plus(1, ChronoUnit.MINUTES)));
        assertRefusedAsChanged(zip, out, "in.zip");
    }

    @Test
    void aDatasetWithoutARecordedListingIsStillMatchedOnItsSettings() throws IOException {
        Path in = tree("in");
        Path out = tmp.resolve("ds");
        ingest(opts(in, out));
        // as written before input listings were recorded
        Path manifest = out.resolve(DatasetLayout.MANIFEST);
        ObjectNode json = (ObjectNode) Json.MAPPER.readTree(manifest.toFile());
        assertTrue(json.with("provenance").has(InputFingerprint.PROVENANCE_KEY), "listing recorded: " + json);
        json.with("provenance").remove(InputFingerprint.PROVENANCE_KEY);
        Files.writeString(manifest, Json.MAPPER.writeValueAsString(json));
        Files.deleteIfExists(out.resolve("." + DatasetLayout.MANIFEST + ".crc"));
        SampleImages.write(in.resolve("y/new.png"), SampleImages.shape(2, 40, 20, 20), "png");

        assertTrue(ingest(opts(in, out)).alreadyPresent(), "older datasets keep the settings-only comparison");
    }

    @Test
    void stagingDirectoriesOfKilledRunsAreRemovedAndLiveOnesKept() throws IOException, InterruptedException {
        Path in = tree("in");
        Path out = tmp.resolve("ds");
        Process finished = new ProcessBuilder("true").start();
        finished.waitFor();
        String host = java.net.InetAddress.getLocalHost().getHostName();
        long start = finished.info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
        Path killed = staging(out, host + " " + finished.pid() + " " + start + "\n");
        Path old = staging(out, null);
        try (Stream<Path> files = Files.walk(old)) {
            for (Path p : files.toList()) {
                Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(25, ChronoUnit.HOURS)));
            }
        }
        ProcessHandle self = ProcessHandle.current();
        Path live = staging(out, host + " " + self.pid() + " "
                + self.info().startInstant().map(Instant::toEpochMilli).orElse(-1L) + "\n");
        Path otherHost = staging(out, "some-other-host 1 1\n");
        Path unrelated = Files.createDirectories(tmp.resolve("other.writing-" + UUID.randomUUID()));

        List<String> notices = new ArrayList<>();
        IngestProgress recorder = new IngestProgress() {
            @Override
            public void update(long seen, long accepted, long quarantined, long expected) {
            }

            @Override
            public void notice(String line) {
                notices.add(line);
            }
        };
        IngestSummary s = new Ingest(IngestTesting.spark(), opts(in, out)).run(recorder);
        assertEquals(6, s.accepted());
        assertFalse(Files.exists(killed), "staging of a process that is gone is removed");
        assertFalse(Files.exists(old), "staging untouched for 25 h is removed");
        assertTrue(Files.exists(live) && Files.exists(otherHost) && Files.exists(unrelated),
                "a live writer's, another host's recent and another output's staging are kept");
        assertEquals(1, notices.size(), "one line: " + notices);
        String line = notices.get(0);
        assertTrue(line.contains(killed.getFileName().toString()) && line.contains(old.getFileName().toString())
                && line.contains("is gone") && line.contains("untouched for over 24 h") && line.contains(out.toString()),
                "notice: " + line);
        assertFalse(Files.exists(out.resolve("_writer")), "the writer marker is not published with the dataset");
    }

    private static Path staging(Path out, String writer) throws IOException {
        Path dir = Files.createDirectories(out.resolveSibling(out.getFileName() + ".writing-" + UUID.randomUUID()));
        SampleImages.write(dir.resolve("shard=0").resolve("part-00000.parquet"), new byte[]{1, 2, 3});
        if (writer != null) {
            Files.writeString(dir.resolve("_writer"), writer);
        }
        return dir;
    }
}
