package io.atelier.common.runs;

import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.InvalidSettingException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fixed layout of a training run's directory, on any Hadoop FileSystem:
 * <pre>
 * config.json                  the resolved config the run was started (or last resumed) with
 * metrics.jsonl                one JSON object per finished round
 * samples/round-NNNN.png       sample grids, same fixed inputs every time
 * checkpoints/round-NNNN/      state.bin, meta.json, SHA256SUMS, then _COMPLETE (see {@link Checkpoints})
 * report.html                  one self-contained page: curves, sample grids, config
 * </pre>
 */
public final class RunDirectory {
    public static final String CONFIG = "config.json";
    public static final String METRICS = "metrics.jsonl";
    public static final String SAMPLES = "samples";
    public static final String CHECKPOINTS = "checkpoints";
    public static final String REPORT = "report.html";

    private static final Pattern ROUND_NAME = Pattern.compile("round-(\\d+)(\\.png)?");

    private final Path root;
    private final Configuration conf;

    private RunDirectory(Path root, Configuration conf) {
        this.root = root;
        this.conf = conf;
    }

    /**
     * A directory for a new run: absent or empty. One that holds anything is refused untouched,
     * since it may be another run's work.
     */
    public static RunDirectory createNew(String path, Configuration conf) {
        Path root = new Path(path);
        FileSystem fs = HadoopFiles.fs(root, conf);
        try {
            if (fs.exists(root)) {
                FileStatus status = fs.getFileStatus(root);
                if (!status.isDirectory()) {
                    throw new IllegalArgumentException("run directory " + path + " is a file; choose a directory path");
                }
                FileStatus[] entries = fs.listStatus(root);
                if (entries.length > 0) {
                    String names = String.join(", ", Arrays.stream(entries).map(e -> e.getPath().getName()).sorted().toList());
                    throw new IllegalArgumentException("run directory " + path + " is not empty (it holds " + names
                            + "); resume that run, or choose a new directory: nothing was changed");
                }
            } else if (!fs.mkdirs(root)) {
                throw new IOException("mkdirs returned false");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare run directory " + path + ": " + e.getMessage(), e);
        }
        return new RunDirectory(root, conf);
    }

    /** The directory of an earlier run, to resume it or report on it. */
    public static RunDirectory existing(String path, Configuration conf) {
        Path root = new Path(path);
        if (!HadoopFiles.exists(root, conf)) {
            // Named for every reader (resume, generate, translate, evaluate), not only for --resume.
            throw new InvalidSettingException("run directory " + path + " does not exist: give the {out}"
                    + " directory of a training run");
        }
        return new RunDirectory(root, conf);
    }

    public Path root() {
        return root;
    }

    public Configuration conf() {
        return conf;
    }

    public Path config() {
        return new Path(root, CONFIG);
    }

    public Path metrics() {
        return new Path(root, METRICS);
    }

    public Path samplesDir() {
        return new Path(root, SAMPLES);
    }

    public Path sample(int round) {
        return new Path(samplesDir(), roundName(round) + ".png");
    }

    public Path checkpointsDir() {
        return new Path(root, CHECKPOINTS);
    }

    public Path report() {
        return new Path(root, REPORT);
    }

    public Checkpoints checkpoints() {
        return new Checkpoints(checkpointsDir(), conf);
    }

    /** Sample grids written so far, by round. */
    public TreeMap<Integer, Path> samples() {
        TreeMap<Integer, Path> out = new TreeMap<>();
        for (FileStatus s : list(samplesDir(), conf)) {
            Matcher m = ROUND_NAME.matcher(s.getPath().getName());
            if (s.isFile() && m.matches() && m.group(2) != null) {
                out.put(Integer.parseInt(m.group(1)), s.getPath());
            }
        }
        return out;
    }

    /** {@code round-0042}: zero-padded so listings sort by round up to 9999. */
    static String roundName(int round) {
        return String.format("round-%04d", round);
    }

    /** The round in a {@code round-N} name, or -1. */
    static int roundOf(String name) {
        Matcher m = ROUND_NAME.matcher(name);
        return m.matches() && m.group(2) == null ? Integer.parseInt(m.group(1)) : -1;
    }

    static List<FileStatus> list(Path dir, Configuration conf) {
        try {
            FileSystem fs = HadoopFiles.fs(dir, conf);
            if (!fs.exists(dir)) {
                return List.of();
            }
            List<FileStatus> out = new ArrayList<>(Arrays.asList(fs.listStatus(dir)));
            out.sort(Comparator.comparing(s -> s.getPath().getName()));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
