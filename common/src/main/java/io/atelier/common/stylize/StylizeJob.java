package io.atelier.common.stylize;

import io.atelier.common.Versions;
import io.atelier.common.catalog.CatalogInputs;
import io.atelier.common.catalog.Quarantine;
import io.atelier.common.compute.DeviceLog;
import io.atelier.common.data.ingest.RawItems;
import io.atelier.common.embed.ExtractorSpec;
import io.atelier.common.exec.ProgressPoller;
import io.atelier.common.image.SparkImage;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Json;
import io.atelier.common.io.Refilling;
import io.atelier.common.io.SerializableConfiguration;
import io.atelier.common.style.FastStyleModel;
import io.atelier.common.style.GatysImageStylizer;
import io.atelier.common.style.GatysOptions;
import io.atelier.common.style.ImageStylizer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

/**
 * {@code atelier stylize}: every input image x every style, once. Layout of the output directory:
 * <pre>
 *   part-*.parquet   id, origin, path, style, method, params (hash), image (Spark's image struct)
 *   _quarantine/     Parquet (origin, reason, size): this run's rejected inputs
 *   _params/H.json   what each parameters hash H stands for (style, method, every parameter)
 *   _stylize.json    the last run's parameters per style, counts and versions
 *   _listing/        the last run's item keys with their files' size and modification time ({@link ItemListing})
 * </pre>
 *
 * <p>How a run goes. (1) List: read the input, decode each item once to get its id (a hash of
 * its pixels, or the dataset's id) or its quarantine reason; only these keys are kept. Items of
 * files unchanged since the last run (same path, size and modification time) take their keys
 * from {@code _listing/} instead and are not read. (2) Plan:
 * pairs (image, style) minus the pairs already in the output with the same parameters hash,
 * one image kept per id. (3) Work: read the input again, join the images still to do, and
 * stylize them in tasks of about {@code imagesPerTask} images, each executor reusing its
 * stylizers. A folder is listed in units of that many files, and each unit's task joins its own
 * items in place ({@link UnitWork}); other inputs are regrouped by a shuffle ({@link #withStyles}).
 *
 * <p>Commit: rows are appended with Hadoop's file output committer, algorithm 2, under which a
 * task's file is renamed into the output as the task commits. So a run killed midway leaves the
 * files of its finished tasks, complete, and only uncommitted temporary files (under
 * {@code _temporary}, which readers skip and the next run replaces) for the rest; the next run
 * lists the committed (id, style, params) keys and does only the remaining work. Rows stream
 * through tasks; nothing is collected to the driver but counts.
 */
public final class StylizeJob {
    private static final Logger LOG = LoggerFactory.getLogger(StylizeJob.class);
    public static final String DESCRIPTION = "_stylize.json";
    public static final String QUARANTINE = Quarantine.DIRECTORY;
    /** {@code _params/<hash>.json}: what each parameters hash in the rows stands for, kept for every run. */
    public static final String PARAMS = "_params";
    private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(2);

    public static final StructType ROW = new StructType(new StructField[]{
            DataTypes.createStructField("id", DataTypes.StringType, false),
            DataTypes.createStructField("origin", DataTypes.StringType, false),
            DataTypes.createStructField("path", DataTypes.StringType, false),
            DataTypes.createStructField("style", DataTypes.StringType, false),
            DataTypes.createStructField("method", DataTypes.StringType, false),
            DataTypes.createStructField("params", DataTypes.StringType, false),
            DataTypes.createStructField("image", SparkImage.STRUCT, false)});

    static final StructType KEY = new StructType(new StructField[]{
            DataTypes.createStructField("origin", DataTypes.StringType, false),
            DataTypes.createStructField("path", DataTypes.StringType, false),
            DataTypes.createStructField("id", DataTypes.StringType, true),
            DataTypes.createStructField("reason", DataTypes.StringType, true),
            DataTypes.createStructField("size", DataTypes.LongType, false),
            DataTypes.createStructField("unit", DataTypes.IntegerType, false)});

    private final SparkSession spark;

    public StylizeJob(SparkSession spark) {
        this.spark = spark;
    }

    /**
     * Counts in (image, style) pairs: {@code in = stylized + skipped + quarantined}, where skipped
     * pairs were already in the output (or are the same picture as another input) and each
     * quarantined image counts once per style. {@code devices}: where the work stage's tasks computed
 * ({@code executor 1: gpu 0}; empty when there was nothing to do).
     */
    public record Summary(long in, long stylized, long skipped, long quarantined, int images, int styles,
                          double seconds, List<String> styleIds, List<String> devices, long decoded) {
    }

    /** Progress of the work stage: pairs done of those planned. */
    public interface Progress {
        void update(long done, long planned, double pairsPerSecond, Duration eta);

        Progress NONE = (done, planned, rate, eta) -> { };
    }

    /**
     * What a catalog run reads and writes, whatever its styles: the fields of {@link StylizeOptions}
     * the work itself needs, so another job (translate) can hand in styles of its own.
     *
     * @param job           the job's name: in Spark's job descriptions, the log, and the description
     *                      file {@code _<job>.json}
     * @param input         an image folder, archive or file, an Atelier dataset, or a glob
     * @param pngDir        also write {@code PNGDIR/STYLE/<input's relative path>.png}; null for none
     * @param maxPixels     inputs whose header declares more pixels are quarantined before decoding
     * @param maxFileBytes  larger input files are quarantined unread
     * @param imagesPerTask images per Spark task: the unit of commit, so of what a killed run loses
     * @param batch         images handed to a stylizer in one call ({@link ImageStylizer#stylizeBatch})
     * @param extra         columns after {@link #ROW}'s, filled from each result's column values
     *                      (empty for stylize and translate)
     */
    public record Catalog(String job, String input, String output, String pngDir, long maxPixels, long maxFileBytes,
                          int imagesPerTask, int batch, StructType extra) {
        /** One image per stylizer call, no extra columns. */
        public Catalog(String job, String input, String output, String pngDir, long maxPixels, long maxFileBytes,
                       int imagesPerTask) {
            this(job, input, output, pngDir, maxPixels, maxFileBytes, imagesPerTask, 1, new StructType());
        }

        public Catalog {
            if (batch < 1) {
                throw new InvalidSettingException("{batch} " + batch + ": use at least 1");
            }
            if (extra == null) {
                extra = new StructType();
            }
            if (job == null || !job.matches("[a-z][a-z0-9-]*")) {
                throw new IllegalArgumentException("job name '" + job + "': use lower-case letters, digits and '-'");
            }
            if (input == null || input.isBlank()) {
                throw new InvalidSettingException("{input}: give an image folder, archive, dataset or glob");
            }
            if (output == null || output.isBlank()) {
                throw new InvalidSettingException("{out}: give the output directory");
            }
            if (maxPixels <= 0 || maxFileBytes <= 0) {
                throw new InvalidSettingException("{maxPixels} and the file size limit must be positive");
            }
            if (imagesPerTask < 1) {
                throw new InvalidSettingException("{imagesPerTask} " + imagesPerTask + ": use at least 1");
            }
        }

        public static Catalog of(StylizeOptions o) {
            return new Catalog("stylize", o.input(), o.output(), o.pngDir(), o.maxPixels(), o.maxFileBytes(),
                    o.imagesPerTask());
        }

        /** The output rows' schema: {@link #ROW} and then the extra columns. */
        public StructType schema() {
            StructType all = ROW;
            for (StructField f : extra.fields()) {
                all = all.add(f);
            }
            return all;
        }

        /** The description file's name, {@code _<job>.json}. */
        public String description() {
            return "_" + job + ".json";
        }
    }

    public Summary run(StylizeOptions o, Progress progress) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Catalog catalog = Catalog.of(o);
        check(catalog, conf);
        List<StyleSpec> specs = styles(o, conf);
        if (o.method() == StylizeOptions.Method.GATYS) {
            // Validates the network and layer names on the driver before any task runs.
            specs.get(0).build();
        }
        return run(catalog, specs, progress);
    }

    /**
     * Every image of {@code catalog.input()} with every one of {@code specs}, once: the work of
     * {@link #run(StylizeOptions, Progress)} for styles made by the caller ({@link StyleSpec#custom}).
     */
    public Summary run(Catalog o, List<StyleSpec> specs, Progress progress) {
        long started = System.nanoTime();
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Path out = new Path(o.output());
        check(o, conf);
        HadoopFiles.renameCommitWarning(o.output(), spark.conf().get("spark.sql.sources.commitProtocolClass", ""), conf)
                .ifPresent(LOG::warn);
        if (specs.isEmpty()) {
            throw new IllegalArgumentException(o.job() + ": no styles to apply");
        }
        Map<String, StyleSpec> byId = new LinkedHashMap<>();
        for (StyleSpec s : specs) {
            if (byId.put(s.id(), s) != null) {
                throw new IllegalArgumentException("two styles are both named '" + s.id() + "'; give each style image"
                        + " (or model) a different name");
            }
        }
        for (StyleSpec s : specs) {
            Path file = new Path(new Path(out, PARAMS), s.paramsHash() + ".json");
            if (!HadoopFiles.exists(file, conf)) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("style", s.id());
                p.putAll(s.parameters());
                if (!s.about().isEmpty()) {
                    p.put("about", s.about());
                }
                HadoopFiles.writeAtomically(file, Json.pretty(p).getBytes(StandardCharsets.UTF_8), conf);
            }
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<Map<String, StyleSpec>> shared = jsc.broadcast(byId);
        LongAccumulator stylized = spark.sparkContext().longAccumulator(o.job() + ".pairs");
        LongAccumulator lost = spark.sparkContext().longAccumulator(o.job() + ".lost");
        DeviceLog devices = DeviceLog.register(spark.sparkContext(), o.job() + ".devices");
        StylizeTask task = new StylizeTask(o.maxPixels(), shared, jsc.broadcast(new SerializableConfiguration(conf)),
                o.pngDir(), o.batch(), o.extra().size(), stylized, lost, devices);

        spark.sparkContext().setJobDescription(o.job() + ": list and check the inputs");
        // A folder, archive or file: planned once from its listing, so both reads below see the same units.
        RawItems.Listing listing = CatalogInputs.listing(spark, o.input(), o.maxFileBytes(), o.imagesPerTask());
        // Made once, computed twice: the work stage finds each item in the partition that listed it.
        Dataset<Row> items = listing == null ? CatalogInputs.read(spark, o.input(), o.maxFileBytes(), o.imagesPerTask())
                : CatalogInputs.read(spark, o.input(), listing);
        JavaRDD<Row> itemRows = items.javaRDD();
        Dataset<Row> listed = listing == null ? null : ItemListing.current(spark, listing);
        // Kept on disk: one key row per image in executor memory would grow with the catalog.
        Dataset<Row> keys = (listing == null ? spark.createDataFrame(itemRows.mapPartitionsWithIndex(
                (unit, it) -> Refilling.of(it::hasNext, ready -> ready.add(task.check(it.next(), unit))), true), KEY)
                .withColumn("file", lit(null).cast(DataTypes.StringType)).withColumn("decoded", lit(true))
                : listedKeys(o, out, listing, listed, task, conf))
                .persist(StorageLevel.DISK_ONLY());
        try {
            long images = keys.count();
            long decoded = keys.where(col("decoded")).count();
            Dataset<Row> rejected = keys.where(col("reason").isNotNull());
            long bad = rejected.count();
            Quarantine.write(out, rejected, bad, conf);
            int k = specs.size();
            // One input per distinct picture: the one whose origin sorts first.
            Dataset<Row> unique = keys.where(col("reason").isNull())
                    .withColumn("_rank", row_number().over(Window.partitionBy("id").orderBy("origin")))
                    .where(col("_rank").equalTo(1)).drop("_rank", "reason", "size");
            List<Row> styleRows = new ArrayList<>();
            specs.forEach(s -> styleRows.add(RowFactory.create(s.id(), s.paramsHash())));
            Dataset<Row> styleFrame = spark.createDataFrame(styleRows, new StructType()
                    .add("style", DataTypes.StringType).add("params", DataTypes.StringType));
            Dataset<Row> done = (HadoopFiles.exists(out, conf) ? spark.read().schema(ROW).parquet(out.toString())
                    : spark.createDataFrame(List.of(), ROW))
                    .select(col("id").as("d_id"), col("style").as("d_style"), col("params").as("d_params"));
            Dataset<Row> pairs = unique.crossJoin(org.apache.spark.sql.functions.broadcast(styleFrame));
            Dataset<Row> todo = pairs.join(done, pairs.col("id").equalTo(done.col("d_id"))
                            .and(pairs.col("style").equalTo(done.col("d_style")))
                            .and(pairs.col("params").equalTo(done.col("d_params"))), "left_anti")
                    .groupBy("origin", "path", "id", "unit").agg(collect_list("style").as("styles"))
                    .persist(StorageLevel.DISK_ONLY());
            try {
                long todoImages = todo.count();
                long planned = todoImages == 0 ? 0 : todo.select(org.apache.spark.sql.functions.sum(
                        org.apache.spark.sql.functions.size(col("styles")))).first().getLong(0);
                LOG.info("{}: {} inputs, {} quarantined, {} (image, style) pairs to do", o.job(), images, bad, planned);
                if (planned > 0) {
                    work(o, out, items, itemRows, todo, todoImages, planned, task, stylized, lost, progress);
                }
                long made = stylized.value();
                long in = images * k;
                long quarantined = bad * k + lost.value();
                Summary summary = new Summary(in, made, in - made - quarantined, quarantined, (int) images, k,
                        (System.nanoTime() - started) / 1e9, List.copyOf(byId.keySet()),
                        List.copyOf(devices.value()), decoded);
                if (listing != null) {
                    // After the work: until then the last listing stays whole, for keys recomputed after an executor's loss.
                    ItemListing.write(keys.join(listed.select("file", "stamp"), "file"), out, o.input(),
                            o.maxPixels(), o.maxFileBytes(), listing.files().size(), conf);
                }
                HadoopFiles.writeAtomically(new Path(out, o.description()),
                        Json.pretty(describe(o, specs, summary)).getBytes(StandardCharsets.UTF_8), conf);
                return summary;
            } finally {
                todo.unpersist();
            }
        } finally {
            keys.unpersist();
        }
    }

    /**
     * The keys of a listed input, with the file each item came from and whether it was decoded:
     * the last run's keys for files whose stamp is unchanged ({@link ItemListing}), a decode for
     * the items of every other file (new, changed, or not listed at all).
     */
    private Dataset<Row> listedKeys(Catalog o, Path out, RawItems.Listing listing, Dataset<Row> listed,
                                    StylizeTask task, Configuration conf) {
        Dataset<Row> previous = ItemListing.previous(spark, out, o.input(), o.maxPixels(), o.maxFileBytes(), conf);
        java.util.Set<String> unchanged = ItemListing.unchanged(listed, previous);
        StructType keyed = KEY.add("file", DataTypes.StringType, true).add("decoded", DataTypes.BooleanType, false);
        Dataset<Row> checked = spark.createDataFrame(CatalogInputs.readExcept(spark, o.input(), listing, unchanged)
                .javaRDD().map(task::checkListed), keyed);
        if (unchanged.isEmpty()) {
            return checked;
        }
        Dataset<Row> known = previous.join(listed, previous.col("file").equalTo(listed.col("file"))
                        .and(previous.col("stamp").equalTo(listed.col("stamp"))))
                .select(previous.col("origin"), previous.col("path"), previous.col("id"), previous.col("reason"),
                        previous.col("size"), listed.col("unit"), previous.col("file"), lit(false).as("decoded"));
        return known.unionByName(checked);
    }

    private void work(Catalog o, Path out, Dataset<Row> items, JavaRDD<Row> itemRows, Dataset<Row> todo,
                      long todoImages, long planned, StylizeTask task, LongAccumulator stylized, LongAccumulator lost,
                      Progress progress) {
        JavaRDD<Row> work;
        String shape;
        // A folder's units hold --images-per-task files, so each is one task as listed and no
        // image moves between tasks. Inputs whose partitions hold more (an archive, a dataset's
        // Parquet files) are regrouped by a shuffle into tasks of that size.
        if (UnitWork.fits(todo, 2L * o.imagesPerTask())) {
            work = UnitWork.rows(itemRows, todo, lost);
            shape = work.getNumPartitions() + " tasks, one per listed unit";
        } else {
            int partitions = (int) Math.max(1, (todoImages + o.imagesPerTask() - 1) / o.imagesPerTask());
            Work shuffled = withStyles(items, todo.drop("unit"), partitions);
            LOG.debug("{} work stage plan:\n{}", o.job(), shuffled.plan());
            work = shuffled.rows();
            shape = partitions + " tasks, images regrouped by a shuffle";
        }
        spark.sparkContext().setJobDescription(o.job() + ": " + planned + " (image, style) pairs in " + shape);
        LOG.info("{}: work stage of {}", o.job(), shape);
        JavaRDD<Row> rows = work.mapPartitions(task::stylize);
        long t0 = System.nanoTime();
        try (ProgressPoller poller = ProgressPoller.every(PROGRESS_INTERVAL, o.job() + "-progress",
                () -> report(stylized.value(), planned, t0, progress))) {
            spark.createDataFrame(rows, o.schema()).write().mode(SaveMode.Append)
                    .option("mapreduce.fileoutputcommitter.algorithm.version", "2")
                    .parquet(out.toString());
        }
        progress.update(stylized.value(), planned, stylized.value() / Math.max((System.nanoTime() - t0) / 1e9, 1e-9),
                Duration.ZERO);
    }

    /** The work stage's input rows, and the physical plan that makes them (for tests and logs). */
    record Work(JavaRDD<Row> rows, String plan) {
    }

    /**
     * The items still to do with their style lists, in {@code partitions} tasks. Both sides are
     * hash-partitioned by origin into the task count and joined by hashing the small side (keys
     * and style names) while the images stream through: nothing sorts the encoded images, so a
     * task holds its own images and no more, whatever the catalog's size. (A sort-merge join, or
     * a round-robin repartition, which sorts first, holds a partition of images in sort memory.)
     */
    static Work withStyles(Dataset<Row> items, Dataset<Row> todo, int partitions) {
        Dataset<Row> images = items.drop("id").repartition(partitions, col("origin"));
        Dataset<Row> wanted = todo.select("origin", "id", "styles").repartition(partitions, col("origin"));
        Dataset<Row> joined = images.join(wanted.hint("shuffle_hash"), "origin")
                .select("origin", "path", "id", "content", "image", "problem", "size", "styles");
        // The planner re-sizes a join's two exchanges to the session's shuffle partitions, user
        // repartitions included, so the task count is set there while this query is planned.
        SparkSession session = items.sparkSession();
        String key = "spark.sql.shuffle.partitions";
        String before = session.conf().get(key);
        session.conf().set(key, String.valueOf(partitions));
        try {
            return new Work(joined.javaRDD(), joined.queryExecution().executedPlan().toString());
        } finally {
            session.conf().set(key, before);
        }
    }

    /** One progress update while the work stage runs: the rate so far and the time left at that rate. */
    private static void report(long done, long planned, long t0, Progress progress) {
        double seconds = (System.nanoTime() - t0) / 1e9;
        double rate = done / Math.max(seconds, 1e-9);
        Duration eta = done == 0 ? null : Duration.ofSeconds(Math.round((planned - done) / rate));
        progress.update(done, planned, rate, eta);
    }

    /** The input must exist; the output must be new, empty, or an earlier output of this job (which this run extends). */
    private static void check(Catalog o, Configuration conf) {
        CatalogInputs.check(o.input(), conf);
        HadoopFiles.requireOutside("{out}", o.output(), "{input}", o.input(), conf);
        if (o.pngDir() != null) {
            HadoopFiles.requireOutside("{pngDir}", o.pngDir(), "{input}", o.input(), conf);
        }
        checkOutput(o.job(), new Path(o.output()), conf);
    }

    private static void checkOutput(String job, Path out, Configuration conf) {
        if (!HadoopFiles.exists(out, conf) || HadoopFiles.isEmptyDirectory(out, conf)) {
            return;
        }
        try {
            for (FileStatus f : out.getFileSystem(conf).listStatus(out)) {
                String name = f.getPath().getName();
                boolean ours = name.startsWith("part-") || name.startsWith("_") || name.startsWith(".");
                if (!ours || name.equals("_manifest.json")) {
                    throw new InvalidSettingException("{out} " + out + " holds " + name + ", so it is not a " + job
                            + " output; choose a new {out} (nothing was written)");
                }
                // Another map stage's output (_stylize.json in a translate --out, say): rows of one
                // job only, so each job's re-runs and readers see what they expect.
                if (name.matches("_[a-z][a-z0-9-]*\\.json") && !name.equals("_" + job + ".json")) {
                    throw new InvalidSettingException("{out} " + out + " holds " + name + ", so it is a "
                            + name.substring(1, name.length() - 5) + " output, not a " + job + " one; choose a new {out}"
                            + " (nothing was written)");
                }
            }
        } catch (IOException e) {
            throw new InvalidSettingException("{out} " + out + ": cannot be listed: " + e.getMessage(), e);
        }
    }

    private static List<StyleSpec> styles(StylizeOptions o, Configuration conf) {
        List<StyleSpec> specs = new ArrayList<>();
        if (o.method() == StylizeOptions.Method.FAST) {
            for (String model : o.models()) {
                specs.add(StyleSpec.fast(FastStyleModel.load(model, conf), model, o.size(), o.preserveColor()));
            }
            return specs;
        }
        ExtractorSpec extractor = ExtractorSpec.resolve(o.extractor(), o.modelDir(), null, conf);
        GatysOptions g = GatysOptions.defaults(extractor.name()).withIterations(o.iterations())
                .withLayers(o.contentLayer(), o.styleLayers())
                .withInit(o.init(), o.seed()).withOptimizer(o.optimizer());
        if (o.weights() != null) {
            g = g.withWeights(o.weights()[0], o.weights()[1], o.weights()[2]);
        }
        int scales = o.scales() > 0 ? o.scales() : GatysImageStylizer.defaultScales(o.size());
        for (String style : o.styles()) {
            Path p = new Path(style);
            if (!HadoopFiles.exists(p, conf)) {
                throw new InvalidSettingException("{style} " + style + ": no such file");
            }
            String name = p.getName();
            String id = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
            specs.add(StyleSpec.gatys(id, HadoopFiles.readAll(p, conf), g, extractor, o.size(), scales, o.preserveColor()));
        }
        return specs;
    }

    private static Map<String, Object> describe(Catalog o, List<StyleSpec> specs, Summary s) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("input", o.input());
        d.put("method", String.join(",", specs.stream().map(StyleSpec::method).distinct().toList()));
        Map<String, Object> styles = new LinkedHashMap<>();
        for (StyleSpec spec : specs) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("params", spec.paramsHash());
            one.put("parameters", spec.parameters());
            if (!spec.about().isEmpty()) {
                one.put("about", spec.about());
            }
            styles.put(spec.id(), one);
        }
        d.put("styles", styles);
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("in", s.in());
        counts.put("stylized", s.stylized());
        counts.put("skipped", s.skipped());
        counts.put("quarantined", s.quarantined());
        counts.put("images", s.images());
        counts.put("decoded", s.decoded());
        counts.put("devices", s.devices());
        d.put("lastRun", counts);
        d.put("seconds", s.seconds());
        d.put("versions", Versions.all());
        d.put("finishedAt", Instant.now().toString());
        return d;
    }
}
