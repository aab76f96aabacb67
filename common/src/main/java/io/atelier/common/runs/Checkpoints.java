package io.atelier.common.runs;

import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.Json;
import io.atelier.common.io.Sha256;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * The checkpoints of a run. Each is a directory {@code checkpoints/round-NNNN/} holding
 * <ul>
 *   <li>{@code state.bin}: the {@link TrainingState} in {@link StateCodec}'s binary format;</li>
 *   <li>{@code meta.json}: a {@link CheckpointMeta};</li>
 *   <li>{@code SHA256SUMS}: one {@code <sha256>  <file>} line per file above ({@code sha256sum -c} reads it);</li>
 *   <li>{@code _COMPLETE}: the commit marker.</li>
 * </ul>
 * A checkpoint is written into a hidden directory beside its final name, renamed into place, and
 * only then marked complete, so a directory without the marker (a crash, or a file system whose
 * rename copies) is never resumed from. Loading verifies every checksum first.
 */
public final class Checkpoints {
    public static final String STATE = "state.bin";
    public static final String META = "meta.json";
    public static final String SUMS = "SHA256SUMS";
    public static final String COMPLETE = "_COMPLETE";

    private final Path dir;
    private final Configuration conf;

    Checkpoints(Path dir, Configuration conf) {
        this.dir = dir;
        this.conf = conf;
    }

    /** A complete checkpoint whose files are missing, unreadable or fail their checksums. */
    public static final class DamagedCheckpointException extends IllegalStateException {
        private final Path checkpoint;

        DamagedCheckpointException(Path checkpoint, String message, Throwable cause) {
            super(message, cause);
            this.checkpoint = checkpoint;
        }

        public Path checkpoint() {
            return checkpoint;
        }
    }

    /** Suffix a damaged checkpoint's directory gets when it is moved aside (not a round name). */
    public static final String DAMAGED_SUFFIX = ".damaged";

    /** A verified checkpoint: its directory, state and meta. */
    public record Checkpoint(Path dir, TrainingState state, CheckpointMeta meta) {
    }

    public Path dir(int round) {
        return new Path(dir, RunDirectory.roundName(round));
    }

    /** Writes, commits and marks the checkpoint of {@code state.round()}; returns its directory. */
    public Path write(TrainingState state, CheckpointMeta meta) {
        FileSystem fs = HadoopFiles.fs(dir, conf);
        Path target = dir(state.round());
        Path temp = new Path(dir, "." + target.getName() + ".tmp-" + UUID.randomUUID());
        try {
            fs.mkdirs(temp);
            String stateSha = writeHashed(fs, new Path(temp, STATE), out -> StateCodec.write(state, out));
            byte[] metaJson = Json.pretty(meta).getBytes(StandardCharsets.UTF_8);
            String metaSha = writeHashed(fs, new Path(temp, META), out -> out.write(metaJson));
            String sums = stateSha + "  " + STATE + "\n" + metaSha + "  " + META + "\n";
            writeHashed(fs, new Path(temp, SUMS), out -> out.write(sums.getBytes(StandardCharsets.UTF_8)));
            if (fs.exists(target)) {
                // left unmarked by an interrupted run, or about to be superseded by this resumed one
                fs.delete(target, true);
            }
            if (!fs.rename(temp, target)) {
                throw new IOException("rename " + temp + " -> " + target + " failed");
            }
            writeHashed(fs, new Path(target, COMPLETE),
                    out -> out.write(("round " + state.round() + "\n").getBytes(StandardCharsets.UTF_8)));
            return target;
        } catch (IOException e) {
            try {
                fs.delete(temp, true);
            } catch (IOException ignored) {
                // the write error is the one to report
            }
            throw new UncheckedIOException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
        }
    }

    /** Rounds with a complete (marked) checkpoint, ascending. Checksums are checked on load. */
    public List<Integer> completeRounds() {
        List<Integer> rounds = new ArrayList<>();
        for (FileStatus s : RunDirectory.list(dir, conf)) {
            int round = RunDirectory.roundOf(s.getPath().getName());
            if (s.isDirectory() && round >= 0 && HadoopFiles.exists(new Path(s.getPath(), COMPLETE), conf)) {
                rounds.add(round);
            }
        }
        rounds.sort(null);
        return rounds;
    }

    public OptionalInt latestRound() {
        List<Integer> rounds = completeRounds();
        return rounds.isEmpty() ? OptionalInt.empty() : OptionalInt.of(rounds.get(rounds.size() - 1));
    }

    /**
     * Loads the newest complete checkpoint that verifies. A newer one that is damaged (a file
     * missing, unreadable, or failing the file system's checksum or its SHA-256) is moved aside to
     * {@code round-NNNN.damaged} and reported through {@code warn} in one line naming it and the
     * checkpoint used instead: training is deterministic, so resuming from the previous checkpoint
     * redoes the lost rounds bit for bit, and the damaged files stay for inspection. When none
     * verifies, nothing is moved and the error names the newest.
     *
     * @throws IllegalStateException when there is no complete checkpoint, or none verifies
     */
    public Checkpoint loadLatest(java.util.function.Consumer<String> warn) {
        List<Integer> rounds = completeRounds();
        if (rounds.isEmpty()) {
            throw new IllegalStateException("checkpoint directory " + dir + " has no complete checkpoint to resume from;"
                    + " start it again as a new run in an empty directory");
        }
        List<DamagedCheckpointException> damaged = new ArrayList<>();
        for (int i = rounds.size() - 1; i >= 0; i--) {
            Checkpoint cp;
            try {
                cp = load(rounds.get(i));
            } catch (DamagedCheckpointException e) {
                damaged.add(e);
                continue;
            }
            for (DamagedCheckpointException e : damaged) {
                Path aside = new Path(e.checkpoint().getParent(), e.checkpoint().getName() + DAMAGED_SUFFIX);
                if (HadoopFiles.exists(aside, conf)) {
                    aside = new Path(aside.getParent(), aside.getName() + "-" + UUID.randomUUID());
                }
                HadoopFiles.rename(e.checkpoint(), aside, conf);
                warn.accept(e.getMessage() + "; moved aside to " + aside + "; resuming from " + cp.dir()
                        + " instead (the rounds after it are redone)");
            }
            return cp;
        }
        // Nothing verifies: nothing is moved, so a passing fault (a remote store) can be retried.
        throw new IllegalStateException(damaged.get(0).getMessage() + "; no earlier checkpoint in " + dir
                + " verifies either; start the run again in an empty directory", damaged.get(0));
    }

    /**
     * Loads a complete checkpoint after checking every file against {@code SHA256SUMS}. A file
     * that fails is refused ({@link DamagedCheckpointException}) with a message naming it.
     */
    public Checkpoint load(int round) {
        Path cp = dir(round);
        if (!HadoopFiles.exists(new Path(cp, COMPLETE), conf)) {
            throw new IllegalStateException("checkpoint " + cp + " is not complete (no " + COMPLETE + " marker)");
        }
        try {
            return loadVerified(round, cp);
        } catch (DamagedCheckpointException e) {
            throw e;
        } catch (IllegalStateException | UncheckedIOException e) {
            // An unreadable file (a local .crc mismatch is a ChecksumException) or a bad SHA256SUMS.
            throw new DamagedCheckpointException(cp, e.getMessage(), e);
        }
    }

    private Checkpoint loadVerified(int round, Path cp) {
        Map<String, String> sums = readSums(cp);
        for (String required : List.of(STATE, META)) {
            if (!sums.containsKey(required)) {
                throw new DamagedCheckpointException(cp, "checkpoint " + cp + ": " + new Path(cp, SUMS)
                        + " lists no checksum for " + required, null);
            }
        }
        for (Map.Entry<String, String> e : sums.entrySet()) {
            verify(new Path(cp, e.getKey()), e.getValue(), cp);
        }
        Path metaPath = new Path(cp, META);
        CheckpointMeta meta = Json.parse(HadoopFiles.readAll(metaPath, conf), CheckpointMeta.class, metaPath.toString());
        if (meta.format() > CheckpointMeta.FORMAT) {
            // Not damage: a newer release wrote it, so it is neither read as this format nor moved aside.
            String writer = meta.versions() == null ? "unknown" : meta.versions().getOrDefault("atelier", "unknown");
            throw new IllegalArgumentException("checkpoint " + cp + " is in checkpoint format " + meta.format()
                    + ", written by a newer Atelier (" + writer + "); this one reads format " + CheckpointMeta.FORMAT + ": upgrade Atelier to resume or use this run");
        }
        Path statePath = new Path(cp, STATE);
        TrainingState state;
        try (InputStream in = HadoopFiles.fs(statePath, conf).open(statePath)) {
            state = StateCodec.read(in, statePath.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint file " + statePath + ": " + e.getMessage(), e);
        }
        if (state.round() != round || meta.round() != round || state.step() != meta.step()) {
            throw new IllegalStateException("checkpoint " + cp + " is inconsistent: directory round " + round + ", state round "
                    + state.round() + " step " + state.step() + ", meta round " + meta.round() + " step " + meta.step());
        }
        return new Checkpoint(cp, state, meta);
    }

    /** The meta of a complete checkpoint, unverified: for reports, not for resuming. */
    public CheckpointMeta readMeta(int round) {
        Path metaPath = new Path(dir(round), META);
        return Json.parse(HadoopFiles.readAll(metaPath, conf), CheckpointMeta.class, metaPath.toString());
    }

    /** Deletes all but the newest {@code keep} complete checkpoints (keep 0: none deleted). */
    public void prune(int keep) {
        if (keep <= 0) {
            return;
        }
        List<Integer> rounds = completeRounds();
        for (int i = 0; i < rounds.size() - keep; i++) {
            HadoopFiles.deleteRecursively(dir(rounds.get(i)), conf);
        }
    }

    /** Deletes what interrupted writes left: hidden temp directories and unmarked checkpoints. */
    public void removeUnfinished() {
        for (FileStatus s : RunDirectory.list(dir, conf)) {
            String name = s.getPath().getName();
            boolean temp = name.startsWith(".round-") && name.contains(".tmp-");
            boolean unmarked = RunDirectory.roundOf(name) >= 0 && !HadoopFiles.exists(new Path(s.getPath(), COMPLETE), conf);
            if (s.isDirectory() && (temp || unmarked)) {
                HadoopFiles.deleteRecursively(s.getPath(), conf);
            }
        }
    }

    private Map<String, String> readSums(Path cp) {
        Path sumsPath = new Path(cp, SUMS);
        if (!HadoopFiles.exists(sumsPath, conf)) {
            throw new IllegalStateException("checkpoint " + cp + " has no " + SUMS + ": it cannot be verified");
        }
        Map<String, String> sums = new LinkedHashMap<>();
        String text;
        try {
            text = new String(HadoopFiles.readAll(sumsPath, conf), StandardCharsets.UTF_8);
        } catch (UncheckedIOException e) {
            throw new DamagedCheckpointException(cp, "checkpoint file " + sumsPath + " " + unreadable(e.getCause()), e);
        }
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.split(" {2}", 2);
            if (parts.length != 2 || parts[0].length() != 64 || parts[1].contains("/")) {
                throw new IllegalStateException("checkpoint file " + sumsPath + " is damaged: bad line '" + line + "'");
            }
            sums.put(parts[1], parts[0]);
        }
        return sums;
    }

    private void verify(Path file, String expected, Path cp) {
        String actual;
        try {
            actual = Sha256.of(file, conf);
        } catch (IOException e) {
            throw new DamagedCheckpointException(cp, "checkpoint file " + file + " " + unreadable(e), e);
        }
        if (!actual.equals(expected)) {
            throw new DamagedCheckpointException(cp, "checkpoint file " + file + " fails its SHA-256 check (expected "
                    + expected + ", found " + actual + "): it changed after it was written", null);
        }
    }

    private static String unreadable(IOException e) {
        return e instanceof org.apache.hadoop.fs.ChecksumException
                ? "fails the file system's checksum (its .crc): it changed after it was written"
                : "cannot be read (" + e.getMessage() + "): it is missing or damaged";
    }

    private interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private static String writeHashed(FileSystem fs, Path file, Writer writer) throws IOException {
        MessageDigest md = Sha256.digest();
        try (FSDataOutputStream raw = fs.create(file, false); DigestOutputStream out = new DigestOutputStream(raw, md)) {
            writer.write(out);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
