package io.atelier.common.runs;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointsTest {
    private final Configuration conf = new Configuration();

    private static TrainingState state(int round) {
        LinkedHashMap<String, float[]> t = new LinkedHashMap<>();
        t.put("g.params", new float[]{1.5f, -0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN, round});
        t.put("empty", new float[0]);
        t.put("d.params", new float[40_000]);  // spans several write chunks
        t.get("d.params")[39_999] = 7;
        return new TrainingState(t, round * 5L, round);
    }

    private static CheckpointMeta meta(TrainingState s) {
        return new CheckpointMeta(CheckpointMeta.FORMAT, s.round(), s.step(), 1, 2, 5, "Model", "data", "0".repeat(64),
                CheckpointMeta.sizes(s), Map.of(), "now", null);
    }

    private Checkpoints checkpoints(Path dir) {
        return new Checkpoints(new org.apache.hadoop.fs.Path(dir.toUri()), conf);
    }

    @Test
    void stateCodecRoundTripIsBitIdentical() throws IOException {
        TrainingState s = state(3);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StateCodec.write(s, out);
        TrainingState back = StateCodec.read(new ByteArrayInputStream(out.toByteArray()), "test");
        assertTrue(s.bitIdentical(back));
        assertEquals(List.of("g.params", "empty", "d.params"), List.copyOf(back.tensors().keySet()));
    }

    @Test
    void truncatedStateIsRefused() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StateCodec.write(state(1), out);
        byte[] cut = java.util.Arrays.copyOf(out.toByteArray(), out.size() - 3);
        IOException e = assertThrows(IOException.class, () -> StateCodec.read(new ByteArrayInputStream(cut), "cut.bin"));
        assertTrue(e.getMessage().contains("cut.bin") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void aCheckpointOfANewerFormatIsRefusedInOneLineAndNotMovedAside(@TempDir Path dir) {
        Checkpoints cps = checkpoints(dir);
        TrainingState s = state(3);
        cps.write(s, new CheckpointMeta(CheckpointMeta.FORMAT + 1, 3, s.step(), 1, 2, 5, "Model", "data", "0".repeat(64),
                CheckpointMeta.sizes(s), Map.of("atelier", "9.9.9"), "now", null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cps.loadLatest(w -> {
            throw new AssertionError("nothing is moved aside: " + w);
        }));
        assertTrue(e.getMessage().startsWith("checkpoint ") && e.getMessage().contains("round-0003 is in checkpoint format "
                + (CheckpointMeta.FORMAT + 1) + ", written by a newer Atelier (9.9.9); this one reads format "
                + CheckpointMeta.FORMAT + ": upgrade Atelier to resume or use this run"), e.getMessage());
        assertEquals(List.of(3), cps.completeRounds());
    }

    @Test
    void writtenCheckpointLoadsBackVerified(@TempDir Path dir) {
        Checkpoints cps = checkpoints(dir);
        cps.write(state(2), meta(state(2)));
        cps.write(state(4), meta(state(4)));

        assertEquals(List.of(2, 4), cps.completeRounds());
        Checkpoints.Checkpoint cp = cps.load(4);
        assertTrue(state(4).bitIdentical(cp.state()));
        assertEquals(5, cp.meta().localSteps());
        assertTrue(Files.isRegularFile(dir.resolve("round-0004").resolve(Checkpoints.SUMS)));
    }

    @Test
    void checkpointWithoutMarkerIsNotResumedFrom(@TempDir Path dir) throws IOException {
        Checkpoints cps = checkpoints(dir);
        cps.write(state(2), meta(state(2)));
        cps.write(state(4), meta(state(4)));
        Files.delete(dir.resolve("round-0004").resolve(Checkpoints.COMPLETE));
        Files.deleteIfExists(dir.resolve("round-0004").resolve("." + Checkpoints.COMPLETE + ".crc"));

        assertEquals(2, cps.latestRound().orElseThrow());
        cps.removeUnfinished();
        assertFalse(Files.exists(dir.resolve("round-0004")), "unmarked checkpoint is cleaned up");
    }

    @Test
    void corruptedStateFailsItsSha256CheckNamingTheFile(@TempDir Path dir) throws IOException {
        Checkpoints cps = checkpoints(dir);
        cps.write(state(2), meta(state(2)));
        Path stateFile = dir.resolve("round-0002").resolve(Checkpoints.STATE);
        flipByte(stateFile, 40);
        // without the local file system's own .crc, the SHA-256 manifest is what catches it
        Files.delete(stateFile.resolveSibling("." + Checkpoints.STATE + ".crc"));

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cps.load(2));
        assertTrue(e.getMessage().contains("round-0002/state.bin") && e.getMessage().contains("SHA-256"), e.getMessage());
    }

    @Test
    void corruptionCaughtByTheFileSystemChecksumAlsoNamesTheFile(@TempDir Path dir) throws IOException {
        Checkpoints cps = checkpoints(dir);
        cps.write(state(2), meta(state(2)));
        flipByte(dir.resolve("round-0002").resolve(Checkpoints.META), 3);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cps.load(2));
        assertTrue(e.getMessage().contains("round-0002/meta.json"), e.getMessage());
    }

    @Test
    void aDamagedNewestCheckpointIsMovedAsideAndThePreviousOneResumedWithAWarning(@TempDir Path dir) throws IOException {
        Checkpoints cps = checkpoints(dir);
        cps.write(state(2), meta(state(2)));
        cps.write(state(4), meta(state(4)));
        cps.write(state(6), meta(state(6)));
        // round 6: caught by the local file system's .crc (a raw "Checksum error" before);
        // round 4: its SHA256SUMS itself damaged
        flipByte(dir.resolve("round-0006").resolve(Checkpoints.STATE), 40);
        flipByte(dir.resolve("round-0004").resolve(Checkpoints.SUMS), 2);
        List<String> warnings = new java.util.ArrayList<>();

        Checkpoints.Checkpoint cp = cps.loadLatest(warnings::add);

        assertEquals(2, cp.state().round(), "the newest checkpoint that verifies");
        assertTrue(state(2).bitIdentical(cp.state()));
        assertEquals(2, warnings.size(), "one line per damaged checkpoint: " + warnings);
        String w6 = warnings.get(0);
        assertTrue(w6.contains("round-0006/state.bin") && w6.contains("round-0006.damaged")
                && w6.contains("resuming from") && w6.contains("round-0002"), w6);
        assertTrue(warnings.get(1).contains("round-0004/SHA256SUMS") && warnings.get(1).contains("file system's checksum")
                && warnings.get(1).contains("round-0002"), warnings.get(1));
        assertFalse(warnings.get(1).contains("Checksum error"), "Hadoop's raw message is not the message: " + warnings.get(1));
        assertEquals(1, w6.lines().count(), w6);
        assertEquals(List.of(2), cps.completeRounds(), "damaged checkpoints are no longer candidates");
        assertTrue(Files.isDirectory(dir.resolve("round-0006.damaged")), "kept aside for inspection");

        cps.write(state(4), meta(state(4)));
        assertEquals(4, cps.loadLatest(warnings::add).state().round(), "the run goes on past the damaged rounds");
        assertEquals(2, warnings.size(), "no new warning");
    }

    @Test
    void whenNoCheckpointVerifiesTheErrorNamesTheNewest(@TempDir Path dir) throws IOException {
        Checkpoints cps = checkpoints(dir);
        cps.write(state(2), meta(state(2)));
        cps.write(state(4), meta(state(4)));
        flipByte(dir.resolve("round-0002").resolve(Checkpoints.META), 3);
        flipByte(dir.resolve("round-0004").resolve(Checkpoints.STATE), 40);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cps.loadLatest(w -> { }));
        assertTrue(e.getMessage().contains("round-0004/state.bin") && e.getMessage().contains("no earlier checkpoint")
                && e.getMessage().contains("start the run again"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertEquals(List.of(2, 4), cps.completeRounds(), "nothing is moved when no checkpoint verifies");
    }

    @Test
    void pruneKeepsTheNewest(@TempDir Path dir) {
        Checkpoints cps = checkpoints(dir);
        for (int r = 1; r <= 4; r++) {
            cps.write(state(r), meta(state(r)));
        }
        cps.prune(2);
        assertEquals(List.of(3, 4), cps.completeRounds());
    }

    private static void flipByte(Path file, int offset) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[offset] ^= 0x5A;
        Files.write(file, bytes);
        assertArrayEquals(bytes, Files.readAllBytes(file));
    }
}
