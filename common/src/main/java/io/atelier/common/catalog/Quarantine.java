package io.atelier.common.catalog;

import io.atelier.common.io.HadoopFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A map stage's rejected inputs: {@code OUT/_quarantine}, Parquet rows of (origin, reason, size) in
 * one file, replaced by each run, and the few first of them for the job's summary. A rejected input never
 * fails a job and is never dropped without its reason.
 */
public final class Quarantine {
    /** The table's directory in a job's output; Spark readers of the output skip it. */
    public static final String DIRECTORY = "_quarantine";

    private Quarantine() {
    }

    /** One rejected input, as the summary names it. */
    public record Rejection(String origin, String reason) {
        @Override
        public String toString() {
            return origin + ": " + reason;
        }
    }

    /**
     * The table's one file: a fixed name, so that a run replaces the previous run's table by
     * replacing one file, which every store can do as one step (Spark names its files per write).
     */
    public static final String FILE = "rejections.parquet";

    /**
     * Replaces {@code out}'s table with {@code rejected} (origin, reason, size; {@code count} rows)
     * so that a reader finds the previous table or the whole new one, never none or part of one:
     * Spark writes the rows as one file into a directory aside, and that file then replaces
     * {@link #FILE} in one step ({@link HadoopFiles#replaceFile}: copied in place on an object
     * store, whose new object appears whole on close; renamed over it elsewhere). Not a directory
     * deleted and another renamed in: on S3 that rename copies file by file, and between the two
     * there is no table at all. A run with no rejections removes the table.
     */
    public static void write(Path out, Dataset<Row> rejected, long count, Configuration conf) {
        Path table = new Path(out, DIRECTORY);
        if (count == 0) {
            if (HadoopFiles.exists(table, conf)) {
                HadoopFiles.deleteRecursively(table, conf);
            }
            return;
        }
        Path aside = new Path(out, DIRECTORY + "-" + UUID.randomUUID()); // "_": Spark readers of out skip it
        try {
            // One file whatever spark.sql.files.maxRecordsPerFile says: the table is one file to replace.
            rejected.select("origin", "reason", "size").orderBy("origin").coalesce(1).write()
                    .option("maxRecordsPerFile", 0).parquet(aside.toString());
            FileSystem fs = HadoopFiles.fs(aside, conf);
            List<Path> parts = new ArrayList<>();
            for (FileStatus s : fs.listStatus(aside)) {
                if (s.isFile() && isData(s.getPath().getName())) {
                    parts.add(s.getPath());
                }
            }
            if (parts.size() != 1) {
                throw new IllegalStateException("the quarantine of " + count + " rows was written as " + parts.size()
                        + " files in " + aside + ", not one");
            }
            fs.mkdirs(table);
            HadoopFiles.replaceFile(parts.get(0), new Path(table, FILE), conf);
            // A table written before the fixed name (Spark's part files beside FILE) would add its rows to the new ones.
            for (FileStatus s : fs.listStatus(table)) {
                String name = s.getPath().getName();
                if (!name.equals(FILE) && !name.equals("." + FILE + ".crc")) {
                    fs.delete(s.getPath(), true);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the quarantine table " + table + ": " + e.getMessage(), e);
        } finally {
            HadoopFiles.deleteRecursively(aside, conf);
        }
    }

    /** A file Spark reads as part of a table (it skips names starting with "_" or "."). */
    private static boolean isData(String name) {
        return !name.startsWith("_") && !name.startsWith(".");
    }

    /** The first {@code n} rejections by origin, for a summary that names them. */
    public static List<Rejection> first(Dataset<Row> rejected, int n) {
        return rejected.select("origin", "reason").orderBy("origin").limit(n).collectAsList().stream()
                .map(r -> new Rejection(r.getString(0), r.getString(1))).toList();
    }

    /**
     * {@code in N = a name + b name ...}: a job's one reconciling count, which fails loudly when the
     * parts do not add up to {@code in} (a miscount is a bug, never a line to print).
     *
     * @param parts name, count, name, count, ...
     */
    public static String reconcile(long in, Object... parts) {
        StringBuilder line = new StringBuilder("in ").append(in).append(" =");
        long sum = 0;
        for (int i = 0; i < parts.length; i += 2) {
            long n = ((Number) parts[i + 1]).longValue();
            sum += n;
            line.append(i == 0 ? " " : " + ").append(parts[i]).append(' ').append(n);
        }
        if (sum != in) {
            throw new IllegalStateException("counts do not reconcile: " + line + " sums to " + sum);
        }
        return line.toString();
    }
}
