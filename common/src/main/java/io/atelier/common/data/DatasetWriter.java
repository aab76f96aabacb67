package io.atelier.common.data;

import io.atelier.common.Versions;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Json;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;

import static org.apache.spark.sql.functions.col;

/**
 * Writes rows in {@link DatasetSchema#ROW} as a dataset: shards into a hidden staging directory,
 * counts and pixel statistics read back from what was written (so the rows are computed once,
 * however expensive), one rename to publish, and the manifest last, into the published directory.
 */
public final class DatasetWriter {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DatasetWriter.class);
    private final SparkSession spark;
    private final Path out;
    private final Configuration conf;

    public DatasetWriter(SparkSession spark, String output) {
        this.spark = spark;
        this.out = new Path(output);
        this.conf = spark.sparkContext().hadoopConfiguration();
    }

    /** What the manifest says beyond what the rows tell. */
    public record Description(int size, int channels, int shards, List<String> labelNames,
                              Map<String, Object> provenance, Reconciliation reconciliation) {
    }

    /** An ingest's in = accepted + duplicates + quarantined; null for other writers. */
    public record Reconciliation(long in, long accepted, long duplicates, long quarantined) {
    }

    private static final String STAGING_INFIX = ".writing-";
    /** In a staging directory: which process writes it ({@link Writer#line()}). */
    static final String WRITER_FILE = "_writer";
    /** A staging directory nothing has touched for this long has no live writer (see removeAbandonedStaging). */
    static final java.time.Duration ABANDONED_AFTER = java.time.Duration.ofHours(24);

    /**
     * Deletes the staging directories ({@code OUT.writing-*} beside the output) that killed writes
     * left, and returns their names. One is taken as abandoned when its {@code _writer} file names
     * a process on this host that is gone (no process with that id, or one started at another
     * time: the id was reused), or, when the writer cannot be checked (another host, no file),
     * when nothing in it has been modified for {@link #ABANDONED_AFTER}: a live write adds task
     * files, the quarantine and the manifest as it goes, far more often than that. A staging
     * directory of a live write elsewhere is thus never removed.
     */
    public List<String> removeAbandonedStaging() {
        Path parent = out.getParent() == null ? new Path(".") : out.getParent();
        List<String> removed = new ArrayList<>();
        try {
            org.apache.hadoop.fs.FileSystem fs = HadoopFiles.fs(parent, conf);
            if (!fs.exists(parent)) {
                return removed;
            }
            String prefix = out.getName() + STAGING_INFIX;
            long now = System.currentTimeMillis();
            for (org.apache.hadoop.fs.FileStatus s : fs.listStatus(parent)) {
                if (!s.isDirectory() || !s.getPath().getName().startsWith(prefix)) {
                    continue;
                }
                Path writerFile = new Path(s.getPath(), WRITER_FILE);
                Writer writer = fs.exists(writerFile)
                        ? Writer.parse(new String(HadoopFiles.readAll(writerFile, conf), StandardCharsets.UTF_8)) : null;
                boolean gone = writer != null && writer.certainlyGone();
                if (gone || now - newestModification(fs, s) > ABANDONED_AFTER.toMillis()) {
                    HadoopFiles.deleteRecursively(s.getPath(), conf);
                    removed.add(s.getPath().getName() + (gone ? " (process " + writer.pid() + " is gone)"
                            : " (untouched for over " + ABANDONED_AFTER.toHours() + " h)"));
                }
            }
        } catch (IOException e) {
            LOG.warn("could not look for unfinished writes beside {}: {}", out, e.getMessage());
        }
        return removed;
    }

    private static long newestModification(org.apache.hadoop.fs.FileSystem fs, org.apache.hadoop.fs.FileStatus dir)
            throws IOException {
        long newest = dir.getModificationTime();
        org.apache.hadoop.fs.RemoteIterator<org.apache.hadoop.fs.LocatedFileStatus> files = fs.listFiles(dir.getPath(), true);
        while (files.hasNext()) {
            newest = Math.max(newest, files.next().getModificationTime());
        }
        return newest;
    }

    /** The process writing a staging directory: host name, process id and the process's start time. */
    record Writer(String host, long pid, long startMillis) {
        static Writer current() {
            ProcessHandle self = ProcessHandle.current();
            return new Writer(localHost(), self.pid(), self.info().startInstant().map(Instant::toEpochMilli).orElse(-1L));
        }

        String line() {
            return host + " " + pid + " " + startMillis + "\n";
        }

        static Writer parse(String text) {
            String[] parts = text.trim().split(" ");
            try {
                return parts.length == 3 ? new Writer(parts[0], Long.parseLong(parts[1]), Long.parseLong(parts[2])) : null;
            } catch (NumberFormatException e) {
                return null;
            }
        }

        /** Only a writer on this host can be checked; one there whose process has gone is certainly gone. */
        boolean certainlyGone() {
            if (!host.equals(localHost())) {
                return false;
            }
            java.util.Optional<ProcessHandle> p = ProcessHandle.of(pid);
            return p.isEmpty() || !p.get().isAlive() || (startMillis >= 0 && p.get().info().startInstant()
                    .map(t -> t.toEpochMilli() != startMillis).orElse(false));
        }

        private static String localHost() {
            try {
                return java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                return "unknown";
            }
        }
    }

    /** Refuses an output that exists and is not an empty directory; says what to do instead. */
    public void requireFreshOutput(String setting) {
        if (HadoopFiles.exists(out, conf) && !HadoopFiles.isEmptyDirectory(out, conf)) {
            throw new InvalidSettingException(setting + " " + out + " already exists"
                    + (ImageDataset.isDataset(out.toString(), conf) ? " and holds a dataset" : "")
                    + "; choose a new " + setting + " or delete it first (nothing was written)");
        }
    }

    /**
     * Writes and publishes. {@code extras} may add files to the staging directory (a quarantine
     * table) before the manifest seals it.
     */
    public Manifest write(Dataset<Row> rows, Description d, Consumer<Path> extras) {
        long started = System.nanoTime();
        HadoopFiles.renameCommitWarning(out.toString(), spark.conf().get("spark.sql.sources.commitProtocolClass", ""), conf)
                .ifPresent(LOG::warn);
        Path parent = out.getParent() == null ? new Path(".") : out.getParent();
        // Not hidden: Spark ignores paths starting with "." or "_", and the counts are read back from here.
        Path staging = new Path(parent, out.getName() + STAGING_INFIX + UUID.randomUUID());
        try {
            HadoopFiles.writeAtomically(new Path(staging, WRITER_FILE), Writer.current().line().getBytes(StandardCharsets.UTF_8), conf);
            Dataset<Row> stored = rows.select(storedColumns(rows));
            stored.repartition(d.shards(), col(DatasetSchema.SHARD))
                    .sortWithinPartitions(DatasetSchema.SHARD, DatasetSchema.ID)
                    .write().mode(org.apache.spark.sql.SaveMode.Append) // into the directory holding WRITER_FILE
                    .partitionBy(DatasetSchema.SHARD).parquet(staging.toString());
            if (!holdsParquet(staging)) {
                // A partitioned write of no rows leaves no file to read a schema from, and
                // spark.read().parquet(dir) then fails; one empty file keeps it readable as no rows.
                spark.createDataFrame(java.util.List.<Row>of(), stored.schema()).coalesce(1)
                        .write().mode(org.apache.spark.sql.SaveMode.Append).parquet(staging.toString());
            }
            long written = System.nanoTime();
            extras.accept(staging);
            Manifest manifest = describe(staging, d);
            LOG.info("dataset {}: shards written in {} ms, described in {} ms", out,
                    (written - started) / 1_000_000, (System.nanoTime() - written) / 1_000_000);
            HadoopFiles.deleteRecursively(new Path(staging, WRITER_FILE), conf); // not part of the dataset
            publish(staging);
            // Sealed after the move: on an object store the move copies file by file, and a manifest
            // moved with them could appear before the last shard. Readers take a dataset by its manifest.
            try {
                HadoopFiles.writeAtomically(new Path(out, DatasetLayout.MANIFEST),
                        Json.pretty(manifest).getBytes(StandardCharsets.UTF_8), conf);
            } catch (RuntimeException e) {
                HadoopFiles.deleteRecursively(out, conf); // published by this write a moment ago, unsealed
                throw e;
            }
            return manifest;
        } catch (RuntimeException e) {
            HadoopFiles.deleteRecursively(staging, conf);
            throw e;
        }
    }

    /** The row columns, with {@code caption} after them when the rows carry one. */
    private static org.apache.spark.sql.Column[] storedColumns(Dataset<Row> rows) {
        List<String> names = new ArrayList<>(List.of(DatasetSchema.ROW.fieldNames()));
        if (DatasetSchema.hasColumn(rows.schema(), DatasetSchema.CAPTION)) {
            names.add(DatasetSchema.CAPTION);
        }
        return names.stream().map(org.apache.spark.sql.functions::col).toArray(org.apache.spark.sql.Column[]::new);
    }

    private Manifest describe(Path staging, Description d) {
        Dataset<Row> written = spark.read().parquet(staging.toString());
        boolean captions = DatasetSchema.hasColumn(written.schema(), DatasetSchema.CAPTION);
        Map<String, Long> perSplit = new TreeMap<>();
        Map<String, Map<String, Long>> perLabel = new TreeMap<>();
        Map<Integer, Long> perShard = new TreeMap<>();
        long rows = 0;
        long captioned = 0;
        org.apache.spark.sql.Column captionCount = captions ? org.apache.spark.sql.functions.count(col(DatasetSchema.CAPTION))
                : org.apache.spark.sql.functions.lit(0L);
        for (Row r : written.groupBy(DatasetSchema.LABEL, DatasetSchema.SPLIT, DatasetSchema.SHARD)
                .agg(org.apache.spark.sql.functions.count(org.apache.spark.sql.functions.lit(1)), captionCount).collectAsList()) {
            String label = r.isNullAt(0) ? "unlabelled" : String.valueOf(r.getInt(0));
            long n = r.getLong(3);
            rows += n;
            captioned += r.getLong(4);
            perSplit.merge(r.getString(1), n, Long::sum);
            perLabel.computeIfAbsent(label, k -> new TreeMap<>()).merge(r.getString(1), n, Long::sum);
            perShard.merge(r.getInt(2), n, Long::sum);
        }
        int c = d.channels();
        double[] sums = written.select(col(DatasetSchema.IMAGE + ".data")).javaRDD()
                .mapPartitions((Iterator<Row> it) -> List.of(pixelSums(it, c)).iterator())
                .fold(new double[2 * c], DatasetWriter::add);
        double pixels = (double) rows * d.size() * d.size();
        double[] mean = new double[c];
        double[] std = new double[c];
        for (int ch = 0; ch < c && pixels > 0; ch++) {
            mean[ch] = sums[ch] / pixels;
            std[ch] = Math.sqrt(Math.max(0, sums[c + ch] / pixels - mean[ch] * mean[ch]));
        }
        Reconciliation rec = d.reconciliation();
        Manifest.Counts counts = new Manifest.Counts(rows, perSplit, perLabel, perShard,
                rec == null ? null : rec.in(), rec == null ? null : rec.accepted(),
                rec == null ? null : rec.duplicates(), rec == null ? null : rec.quarantined());
        Map<String, Object> provenance = new LinkedHashMap<>(d.provenance());
        provenance.put("versions", Versions.all());
        provenance.put("createdAt", Instant.now().toString());
        return new Manifest(Manifest.SCHEMA_VERSION, Manifest.FORMAT, "atelier " + Versions.atelier(), d.size(),
                d.size(), c, c == 1 ? "GRAY" : "BGR", d.shards(), counts,
                d.labelNames() == null ? List.of() : new ArrayList<>(d.labelNames()), mean, std, provenance,
                captions ? captioned : null);
    }

    /** Per-channel sums of pixel/255 and of its square, channels in RGB order. */
    private static double[] pixelSums(Iterator<Row> rows, int channels) {
        double[] s = new double[2 * channels];
        while (rows.hasNext()) {
            byte[] data = (byte[]) rows.next().get(0);
            for (int i = 0; i < data.length; i++) {
                int stored = i % channels;
                int rgb = channels == 3 ? 2 - stored : stored;
                double v = (data[i] & 0xFF) / 255.0;
                s[rgb] += v;
                s[channels + rgb] += v * v;
            }
        }
        return s;
    }

    private static double[] add(double[] a, double[] b) {
        double[] s = a.clone();
        for (int i = 0; i < s.length; i++) {
            s[i] += b[i];
        }
        return s;
    }

    private boolean holdsParquet(Path dir) {
        try {
            return HadoopFiles.listFilesRecursively(dir, conf).stream()
                    .anyMatch(f -> f.getName().endsWith(".parquet"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private void publish(Path staging) {
        if (HadoopFiles.exists(out, conf)) {
            // It was absent or empty when the work began; whatever appeared since is someone else's.
            if (!HadoopFiles.isEmptyDirectory(out, conf)) {
                throw new IllegalStateException(out + " was written by something else meanwhile; it was left as it"
                        + " is and this result discarded");
            }
            HadoopFiles.deleteRecursively(out, conf);
        }
        try {
            HadoopFiles.fs(out, conf).mkdirs(out.getParent() == null ? new Path(".") : out.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the parent of " + out + ": " + e.getMessage(), e);
        }
        HadoopFiles.rename(staging, out, conf);
    }
}
