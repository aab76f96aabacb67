package io.atelier.common.embed;

import io.atelier.common.compute.DeviceLog;
import io.atelier.common.Versions;
import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.Json;
import io.atelier.common.features.FeatureNetwork;
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
import static org.apache.spark.sql.functions.lit;

/**
 * {@code atelier embed}: one feature vector per image and layer, written as Parquet with a JSON
 * description beside it. Layout of the output directory:
 * <pre>
 *   part-*.parquet    id, origin, layer, vector (array&lt;float&gt;), error (set on rejected images only)
 *   _embedding.json   extractor, model source, layers, preprocessing, counts, versions
 * </pre>
 */
public final class EmbedJob {
    public static final String DESCRIPTION = "_embedding.json";

    public static final StructType ROW = new StructType(new StructField[]{
            DataTypes.createStructField("id", DataTypes.StringType, true),
            DataTypes.createStructField("origin", DataTypes.StringType, true),
            DataTypes.createStructField("layer", DataTypes.StringType, true),
            DataTypes.createStructField("vector", DataTypes.createArrayType(DataTypes.FloatType, false), true),
            DataTypes.createStructField("error", DataTypes.StringType, true)});

    private final SparkSession spark;

    public EmbedJob(SparkSession spark) {
        this.spark = spark;
    }

    /** in = images embedded + images rejected; vectors = embedded x layers; devices: where the tasks computed. */
    public record Summary(long in, long embedded, long rejected, long vectors, List<String> layers,
                          List<String> devices) {
    }

    /** Checks everything before any data moves, then runs; {@code jsonLines} gets one line per vector, or null. */
    public Summary run(ExtractorSpec spec, EmbedOptions options, Consumer<String> jsonLines) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Path out = new Path(options.output());
        if (HadoopFiles.exists(out, conf) && !HadoopFiles.isEmptyDirectory(out, conf)) {
            throw new IllegalArgumentException("--out " + out + " already exists; choose a new --out or delete it first"
                    + " (nothing was written)");
        }
        if (!HadoopFiles.exists(new Path(options.input()), conf) && !options.input().matches(".*[*?\\[{].*")) {
            throw new IllegalArgumentException("--input " + options.input() + " does not exist");
        }
        // Validates the model and the layer names up front; a local executor reuses this very network.
        FeatureNetwork driverCopy = ExecutorNetworks.get(spec);
        List<String> layers = options.layers().isEmpty() ? List.of(driverCopy.outputLayer()) : options.layers();
        driverCopy.requireLayers(layers);

        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<ExtractorSpec> shared = jsc.broadcast(spec);
        DeviceLog devices = DeviceLog.register(spark.sparkContext(), "embed.devices");
        EmbedPartition task = new EmbedPartition(shared, layers, options.maxPixels(), options.batch(), devices);
        JavaRDD<Row> rows = inputs(options.input(), conf).javaRDD().mapPartitions(task::apply);
        spark.createDataFrame(rows, ROW).write().parquet(out.toString());

        Dataset<Row> written = spark.read().parquet(out.toString());
        Row counts = written.selectExpr("count(CASE WHEN error IS NULL THEN 1 END)",
                "count(CASE WHEN error IS NOT NULL THEN 1 END)").first();
        long vectors = counts.getLong(0);
        long embedded = vectors / layers.size();
        Summary summary = new Summary(embedded + counts.getLong(1), embedded, counts.getLong(1), vectors, layers,
                List.copyOf(devices.value()));
        HadoopFiles.writeAtomically(new Path(out, DESCRIPTION),
                Json.pretty(describe(spec, driverCopy, options, summary)).getBytes(StandardCharsets.UTF_8), conf);
        if (jsonLines != null) {
            printJson(written, jsonLines);
        }
        return summary;
    }

    /** A dataset's rows, or encoded files read through Spark's binaryFile source (folders recursively). */
    private Dataset<Row> inputs(String input, Configuration conf) {
        if (ImageDataset.isDataset(input, conf)) {
            return ImageDataset.open(input, conf).rows(spark).select(col(DatasetSchema.IMAGE + ".origin").as("origin"),
                    col(DatasetSchema.ID), col(DatasetSchema.IMAGE), lit(null).cast(DataTypes.BinaryType).as("content"));
        }
        return spark.read().format("binaryFile").option("recursiveFileLookup", "true").load(input)
                .select(col("path").as("origin"), lit(null).cast(DataTypes.StringType).as("id"),
                        lit(null).cast(io.atelier.common.image.SparkImage.STRUCT).as("image"), col("content"));
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
