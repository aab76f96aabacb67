package io.atelier.common.embed;

import io.atelier.common.Versions;
import io.atelier.common.catalog.CatalogInputs;
import io.atelier.common.catalog.Quarantine;
import io.atelier.common.compute.DeviceLog;
import io.atelier.common.features.FeatureNetwork;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Json;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.apache.spark.sql.functions.col;

/**
 * {@code atelier embed}: one feature vector per image and layer, written as Parquet with a JSON
 * description beside it. Layout of the output directory:
 * <pre>
 *   part-*.parquet    id, origin, layer, vector (array&lt;float&gt;), error and size (set on rejected images only)
 *   _quarantine/      Parquet (origin, reason, size): the rejected images, as stylize writes them
 *   _embedding.json   extractor, model source, layers, preprocessing, counts, first rejections, versions
 * </pre>
 * The input is read as stylize reads it ({@link CatalogInputs}): a dataset, a folder, an archive
 * (one image per entry), a single file or a glob.
 */
public final class EmbedJob {
    public static final String DESCRIPTION = "_embedding.json";
    /** A folder's files per task: a task holds its unit's encoded files at once. */
    static final int FILES_PER_UNIT = 64;
    /** Rejections the summary names; the quarantine table holds them all. */
    static final int NAMED_REJECTIONS = 5;

    public static final StructType ROW = new StructType(new StructField[]{
            DataTypes.createStructField("id", DataTypes.StringType, true),
            DataTypes.createStructField("origin", DataTypes.StringType, true),
            DataTypes.createStructField("layer", DataTypes.StringType, true),
            DataTypes.createStructField("vector", DataTypes.createArrayType(DataTypes.FloatType, false), true),
            DataTypes.createStructField("error", DataTypes.StringType, true),
            DataTypes.createStructField("size", DataTypes.LongType, true)});

    private final SparkSession spark;

    public EmbedJob(SparkSession spark) {
        this.spark = spark;
    }

    /**
     * in = images embedded + images rejected; vectors = embedded x layers. {@code rejections}: the
     * first few rejected images by origin, each with its reason (all of them are in the quarantine).
     * {@code devices}: where the tasks computed.
     */
    public record Summary(long in, long embedded, long rejected, long vectors, List<String> layers,
                          List<Quarantine.Rejection> rejections, List<String> devices) {
        public Summary {
            layers = List.copyOf(layers);
            rejections = List.copyOf(rejections);
            devices = List.copyOf(devices);
        }
    }

    /** Checks everything before any data moves, then runs; {@code jsonLines} gets one line per vector, or null. */
    public Summary run(ExtractorSpec spec, EmbedOptions options, Consumer<String> jsonLines) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Path out = new Path(options.output());
        if (HadoopFiles.exists(out, conf) && !HadoopFiles.isEmptyDirectory(out, conf)) {
            throw new InvalidSettingException("{out} " + out + " already exists; choose a new {out} or delete it first"
                    + " (nothing was written)");
        }
        CatalogInputs.check(options.input(), conf);
        // Validates the model and the layer names up front; a local executor reuses this very network.
        FeatureNetwork driverCopy = ExecutorNetworks.get(spec);
        List<String> layers = options.layers().isEmpty() ? List.of(driverCopy.outputLayer()) : options.layers();
        driverCopy.requireLayers(layers);

        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<ExtractorSpec> shared = jsc.broadcast(spec);
        DeviceLog devices = DeviceLog.register(spark.sparkContext(), "embed.devices");
        EmbedPartition task = new EmbedPartition(shared, layers, options.maxPixels(), options.batch(), devices);
        JavaRDD<Row> rows = CatalogInputs.read(spark, options.input(), options.maxFileBytes(), FILES_PER_UNIT).javaRDD()
                .mapPartitions(task::apply);
        spark.createDataFrame(rows, ROW).write().parquet(out.toString());

        Dataset<Row> written = spark.read().parquet(out.toString());
        Row counts = written.selectExpr("count(CASE WHEN error IS NULL THEN 1 END)",
                "count(CASE WHEN error IS NOT NULL THEN 1 END)").first();
        long vectors = counts.getLong(0);
        long embedded = vectors / layers.size();
        long rejected = counts.getLong(1);
        Dataset<Row> rejections = written.where(col("error").isNotNull()).select(col("origin"), col("error").as("reason"),
                col("size"));
        Quarantine.write(out, rejections, rejected, conf);
        Summary summary = new Summary(embedded + rejected, embedded, rejected, vectors, layers,
                rejected == 0 ? List.of() : Quarantine.first(rejections, NAMED_REJECTIONS), List.copyOf(devices.value()));
        HadoopFiles.writeAtomically(new Path(out, DESCRIPTION),
                Json.pretty(describe(spec, driverCopy, options, summary)).getBytes(StandardCharsets.UTF_8), conf);
        if (jsonLines != null) {
            printJson(written, jsonLines);
        }
        return summary;
    }

    private static Map<String, Object> describe(ExtractorSpec spec, FeatureNetwork net, EmbedOptions options,
                                                Summary summary) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("extractor", spec.name());
        d.put("model", spec.source());
        d.put("layers", summary.layers());
        d.put("vector", "global average of each layer's map over height and width; flat layers as they are");
        d.put("preprocessing", "RGB, pixel/255, bilinear resize with aligned corners to " + net.inputSize()
                + (spec.name().startsWith("vgg") ? ", then BGR*255 minus ImageNet means (caffe)" : ""));
        d.put("input", options.input());
        Map<String, Object> counts = new LinkedHashMap<>();
        counts.put("in", summary.in());
        counts.put("embedded", summary.embedded());
        counts.put("rejected", summary.rejected());
        counts.put("vectors", summary.vectors());
        counts.put("devices", summary.devices());
        d.put("counts", counts);
        d.put("firstRejections", summary.rejections().stream().map(Quarantine.Rejection::toString).toList());
        d.put("versions", Versions.all());
        d.put("createdAt", Instant.now().toString());
        return d;
    }

    /** One {@code --json} line; a record keeps the fields in this order. */
    record JsonLine(String origin, String layer, List<Float> vector) {
    }

    /** Streams the vectors back to the driver partition by partition, never all at once. */
    private static void printJson(Dataset<Row> written, Consumer<String> lines) {
        Iterator<Row> it = written.where("error IS NULL").orderBy("origin", "layer").toLocalIterator();
        while (it.hasNext()) {
            Row r = it.next();
            lines.accept(Json.line(new JsonLine(r.getString(1), r.getString(2), r.getList(3))));
        }
    }
}
