package io.atelier.common.catalog;

import io.atelier.common.io.HadoopFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;
import java.util.UUID;

/**
 * A map stage's rejected inputs: {@code OUT/_quarantine}, Parquet rows of (origin, reason, size),
 * replaced by each run, and the few first of them for the job's summary. A rejected input never
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
     * Replaces {@code out}'s table with {@code rejected} (origin, reason, size; {@code count} rows):
     * written aside, then renamed into place, so a reader sees the old table or the new one.
     */
    public static void write(Path out, Dataset<Row> rejected, long count, Configuration conf) {
        Path target = new Path(out, DIRECTORY);
        Path aside = new Path(out, DIRECTORY + "-" + UUID.randomUUID());
        if (count > 0) {
            rejected.select("origin", "reason", "size").orderBy("origin").coalesce(1).write().parquet(aside.toString());
        }
        if (HadoopFiles.exists(target, conf)) {
            HadoopFiles.deleteRecursively(target, conf);
        }
        if (count > 0) {
            HadoopFiles.rename(aside, target, conf);
        }
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
