package io.atelier.common.data.ingest;

import io.atelier.common.data.DatasetLayout;
import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.DatasetWriter;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;
import io.atelier.common.exec.ProgressPoller;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Json;
import io.atelier.common.io.SerializableConfiguration;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;

/**
 * The ingest job: inputs -> decoded, fitted, de-duplicated, split and sharded rows, written to a
 * hidden directory and published by one rename once rows, quarantine and manifest are all there.
 */
public final class Ingest {
    private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(1);
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Ingest.class);

    private final SparkSession spark;
    private final IngestOptions options;
    private final Configuration conf;

    public Ingest(SparkSession spark, IngestOptions options) {
        this.spark = spark;
        this.options = options;
        this.conf = spark.sparkContext().hadoopConfiguration();
    }

    public IngestSummary run(IngestProgress progress) {
        return run(List.of(), progress);
    }

    /**
     * @param frames extra inputs already loaded as frames with an {@code image} struct column,
     *               such as {@code spark.read.format("image").load(...)}
     */
    public IngestSummary run(List<Dataset<Row>> frames, IngestProgress progress) {
        if (options.inputs().isEmpty() && frames.isEmpty()) {
            throw new InvalidSettingException("{input}: give at least one path");
        }
        Path out = new Path(options.output());
        for (String input : options.inputs()) {
            HadoopFiles.requireOutside("{output}", options.output(), "{input}", input, conf);
        }
        removeAbandonedWrites(out, progress);
        long planning = System.nanoTime();
        // Planning only lists and stats the inputs (and reads IDX headers): no image is opened.
        InputPlan plan = new InputPlanner(options, conf, spark.sparkContext().defaultParallelism()).plan();
        LOG.info("ingest planned {} work units ({} items known) in {} ms", plan.units().size(), plan.knownItems(),
                (System.nanoTime() - planning) / 1_000_000);
        IngestSummary existing = checkOutput(out, frames.size(), plan.fingerprints());
        if (existing != null) {
            return existing;
        }
        int channels = options.channels() != 0 ? options.channels()
                : (plan.idxOnly() && plan.frames().isEmpty() && frames.isEmpty() ? 1 : 3);
        ImageIngestor ingestor = new ImageIngestor(options, channels);

        long started = System.nanoTime();
        Counters counters = new Counters(spark);
        Dataset<Row> outcomes = outcomes(plan, frames, ingestor, counters).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            long in = counters.watch(progress, plan.knownItems(), outcomes::count);
            LOG.info("ingest decoded {} inputs in {} ms", in, (System.nanoTime() - started) / 1_000_000);
            progress.decoded(in);
            if (in == 0) {
                throw new InvalidSettingException("{input} " + describeInputs(frames.size())
                        + ": found nothing to ingest (no files, archive entries, IDX records or frame rows);"
                        + " nothing was written");
            }
            return write(out, outcomes, in, channels, frames.size(), plan.fingerprints());
        } finally {
            outcomes.unpersist();
        }
    }

    private String describeInputs(int frames) {
        String paths = String.join(" ", options.inputs());
        return frames == 0 ? paths : (paths.isEmpty() ? "" : paths + " and ") + frames + " frame(s)";
    }

    /** Removes the staging directories that killed ingests into {@code out} left, in one line of progress. */
    private void removeAbandonedWrites(Path out, IngestProgress progress) {
        List<String> removed = new DatasetWriter(spark, out.toString()).removeAbandonedStaging();
        if (!removed.isEmpty()) {
            progress.notice("ingest: removed " + removed.size() + " unfinished write(s) that killed runs left beside "
                    + out + ": " + String.join(", ", removed));
        }
    }

    /** Returns the summary of an identical dataset already there, null to go ahead, or refuses. */
    private IngestSummary checkOutput(Path out, int frames, List<Map<String, Object>> fingerprints) {
        if (!HadoopFiles.exists(out, conf)) {
            return null;
        }
        if (ImageDataset.isDataset(out.toString(), conf)) {
            Manifest m = ImageDataset.open(out.toString(), conf).manifest();
            Object made = m.provenance() == null ? null : m.provenance().get("ingest");
            int channels = options.channels() != 0 ? options.channels() : m.channels();
            // Frames have no path to compare, so a dataset made from them is never "the same ingest".
            if (frames == 0 && Json.line(options.describe(channels)).equals(Json.line(made))) {
                Object listed = m.provenance().get(InputFingerprint.PROVENANCE_KEY);
                // A dataset written before listings were recorded has none; it is taken as the same
                // dataset on its settings alone, as it always was (its input cannot be compared).
                if (listed != null && !InputFingerprint.same(listed, fingerprints)) {
                    throw new InvalidSettingException("{output} " + out + " already holds a different dataset: its"
                            + " input changed since it was made (" + InputFingerprint.differences(listed, fingerprints)
                            + "); choose a new {output} or delete it first (nothing was written)");
                }
                Manifest.Counts c = m.counts();
                return new IngestSummary(c.in(), c.accepted(), c.duplicates(), c.quarantined(), m, true);
            }
            throw new InvalidSettingException("{output} " + out + " already holds a different dataset (made by "
                    + Json.line(made) + "); choose a new {output} or delete it first");
        }
        if (!HadoopFiles.isEmptyDirectory(out, conf)) {
            throw new InvalidSettingException("{output} " + out + " exists and is not an Atelier dataset;"
                    + " choose a new {output} (nothing was written)");
        }
        return null;
    }

    private Dataset<Row> outcomes(InputPlan plan, List<Dataset<Row>> frames, ImageIngestor ingestor, Counters c) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // Broadcast: a Hadoop Configuration costs milliseconds to deserialise; once per executor is enough.
        org.apache.spark.broadcast.Broadcast<SerializableConfiguration> shippedConf =
                jsc.broadcast(new SerializableConfiguration(conf));
        List<JavaRDD<Row>> parts = new ArrayList<>();
        if (!plan.units().isEmpty()) {
            parts.add(jsc.parallelize(plan.units(), plan.units().size()).flatMap(unit -> {
                List<Row> rows = new ArrayList<>();
                unit.read(shippedConf.value().get(), item -> rows.add(c.count(ingestor.process(item))));
                return rows.iterator();
            }));
        }
        List<Dataset<Row>> allFrames = new ArrayList<>(frames);
        for (String path : plan.frames()) {
            allFrames.add(spark.read().parquet(path));
        }
        for (int i = 0; i < allFrames.size(); i++) {
            Dataset<Row> frame = allFrames.get(i);
            String what = i < frames.size() ? "frame " + i : plan.frames().get(i - frames.size());
            FrameItems items = new FrameItems(frame.schema(), options.labels(), what);
            parts.add(frame.toJavaRDD().map(row -> c.count(ingestor.process(items.toItem(row)))));
        }
        if (parts.isEmpty()) {
            throw new InvalidSettingException("{input} " + String.join(" ", options.inputs())
                    + ": found no files to ingest");
        }
        JavaRDD<Row> all = parts.get(0);
        for (int i = 1; i < parts.size(); i++) {
            all = all.union(parts.get(i));
        }
        return spark.createDataFrame(all, IngestOutcome.SCHEMA);
    }

    private IngestSummary write(Path out, Dataset<Row> outcomes, long in, int channels, int frames,
                                List<Map<String, Object>> fingerprints) {
        long t0 = System.nanoTime();
        Dataset<Row> quarantined = outcomes.where(col(IngestOutcome.REASON).isNotNull());
        // Equal content keeps one row: the one whose origin sorts first, so the choice is stable.
        Dataset<Row> unique = outcomes.where(col(IngestOutcome.REASON).isNull())
                .withColumn("_rank", row_number().over(Window.partitionBy(DatasetSchema.ID).orderBy(IngestOutcome.ORIGIN)))
                .where(col("_rank").equalTo(1)).drop("_rank")
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            long quarantinedCount = quarantined.count(); // from the cached outcomes
            long uniqueCount = unique.count();
            long duplicates = in - quarantinedCount - uniqueCount;
            LabelIndex labels = LabelIndex.of(unique);
            LOG.info("ingest de-duplicated and labelled {} rows in {} ms", uniqueCount, (System.nanoTime() - t0) / 1_000_000);
            Map<String, Object> provenance = new LinkedHashMap<>();
            provenance.put("ingest", options.describe(channels, frames));
            // listed before anything was read: a change made while this ingest ran shows on the next run
            provenance.put(InputFingerprint.PROVENANCE_KEY, fingerprints);
            // accepted counts rows kept, so that in = accepted + duplicates + quarantined
            DatasetWriter.Description description = new DatasetWriter.Description(options.size(), channels,
                    options.shards(), labels.names(), provenance,
                    new DatasetWriter.Reconciliation(in, uniqueCount, duplicates, quarantinedCount));
            Dataset<Row> rows = labels.apply(unique);
            if (unique.where(col(DatasetSchema.CAPTION).isNotNull()).isEmpty()) {
                rows = rows.drop(DatasetSchema.CAPTION); // the column exists only in captioned datasets
            }
            Manifest manifest = new DatasetWriter(spark, out.toString()).write(rows, description,
                    staging -> {
                        if (quarantinedCount > 0) {
                            quarantined.select(IngestOutcome.QUARANTINE_COLUMNS[0], IngestOutcome.QUARANTINE_COLUMNS[1],
                                            IngestOutcome.QUARANTINE_COLUMNS[2])
                                    .orderBy(IngestOutcome.ORIGIN).coalesce(1)
                                    .write().parquet(new Path(staging, DatasetLayout.QUARANTINE).toString());
                        }
                    });
            return new IngestSummary(in, uniqueCount, duplicates, quarantinedCount, manifest, false);
        } finally {
            unique.unpersist();
        }
    }

    /** Accumulators behind the progress line; updated per item, visible as tasks finish. */
    private static final class Counters implements java.io.Serializable {
        private final LongAccumulator seen;
        private final LongAccumulator accepted;
        private final LongAccumulator quarantined;

        Counters(SparkSession spark) {
            seen = spark.sparkContext().longAccumulator("ingest.seen");
            accepted = spark.sparkContext().longAccumulator("ingest.accepted");
            quarantined = spark.sparkContext().longAccumulator("ingest.quarantined");
        }

        Row count(Row outcome) {
            seen.add(1);
            (outcome.isNullAt(IngestOutcome.REASON_INDEX) ? accepted : quarantined).add(1);
            return outcome;
        }

        long watch(IngestProgress progress, long expected, java.util.function.LongSupplier work) {
            Runnable tick = () -> progress.update(seen.value(), accepted.value(), quarantined.value(), expected);
            try (ProgressPoller poller = ProgressPoller.every(PROGRESS_INTERVAL, "ingest-progress", tick)) {
                return work.getAsLong();
            } finally {
                tick.run();
            }
        }
    }

    /**
     * Integer labels: kept when every labelled source gave one (IDX, datasets); otherwise the
     * sorted distinct label names numbered from 0, as image-folder loaders do.
     */
    record LabelIndex(boolean fromSource, List<String> names) implements java.io.Serializable {
        static LabelIndex of(Dataset<Row> unique) {
            List<Row> pairs = unique.select(IngestOutcome.SOURCE_LABEL, DatasetSchema.LABEL_NAME)
                    .where(col(DatasetSchema.LABEL_NAME).isNotNull().or(col(IngestOutcome.SOURCE_LABEL).isNotNull()))
                    .distinct().collectAsList();
            boolean fromSource = !pairs.isEmpty() && pairs.stream().allMatch(r -> !r.isNullAt(0));
            if (fromSource) {
                TreeMap<Integer, String> byIndex = new TreeMap<>();
                for (Row r : pairs) {
                    String name = r.isNullAt(1) ? String.valueOf(r.getInt(0)) : r.getString(1);
                    String prior = byIndex.putIfAbsent(r.getInt(0), name);
                    if (prior != null && !prior.equals(name)) {
                        throw new IllegalArgumentException("label " + r.getInt(0) + " is named both '" + prior
                                + "' and '" + name + "' in the inputs; ingest them separately or fix the names");
                    }
                }
                List<String> names = new ArrayList<>();
                for (int i = 0; i <= byIndex.lastKey(); i++) {
                    names.add(byIndex.getOrDefault(i, String.valueOf(i)));
                }
                return new LabelIndex(true, names);
            }
            TreeSet<String> names = new TreeSet<>();
            pairs.stream().map(r -> r.isNullAt(1) ? String.valueOf(r.getInt(0)) : r.getString(1)).forEach(names::add);
            return new LabelIndex(false, List.copyOf(names));
        }

        Dataset<Row> apply(Dataset<Row> unique) {
            Column label;
            if (fromSource) {
                label = col(IngestOutcome.SOURCE_LABEL);
            } else if (names.isEmpty()) {
                label = org.apache.spark.sql.functions.lit(null).cast(DataTypes.IntegerType);
            } else {
                label = org.apache.spark.sql.functions.element_at(
                        org.apache.spark.sql.functions.map_from_arrays(
                                org.apache.spark.sql.functions.array(names.stream().map(org.apache.spark.sql.functions::lit).toArray(Column[]::new)),
                                org.apache.spark.sql.functions.array(java.util.stream.IntStream.range(0, names.size())
                                        .mapToObj(org.apache.spark.sql.functions::lit).toArray(Column[]::new))),
                        col(DatasetSchema.LABEL_NAME));
            }
            Column name = fromSource
                    ? org.apache.spark.sql.functions.coalesce(col(DatasetSchema.LABEL_NAME),
                    col(IngestOutcome.SOURCE_LABEL).cast(DataTypes.StringType))
                    : col(DatasetSchema.LABEL_NAME);
            return unique.withColumn(DatasetSchema.LABEL, label.cast(DataTypes.IntegerType))
                    .withColumn(DatasetSchema.LABEL_NAME, name);
        }
    }
}
