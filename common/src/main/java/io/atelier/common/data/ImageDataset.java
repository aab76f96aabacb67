package io.atelier.common.data;

import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.Json;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.Collection;
import java.util.stream.Collectors;

/** A dataset directory opened for reading: its manifest, its rows, any subset of its shards. */
public final class ImageDataset {
    private final String path;
    private final Manifest manifest;

    private ImageDataset(String path, Manifest manifest) {
        this.path = path;
        this.manifest = manifest;
    }

    /** Opens a complete dataset; a directory without a manifest is refused (it may be half-written). */
    public static ImageDataset open(String path, Configuration conf) {
        Path dir = new Path(path);
        if (!HadoopFiles.exists(dir, conf)) {
            throw new IllegalArgumentException("dataset " + path + " does not exist");
        }
        Path manifestPath = new Path(dir, DatasetLayout.MANIFEST);
        if (!HadoopFiles.exists(manifestPath, conf)) {
            throw new IllegalArgumentException("dataset " + path + " has no " + DatasetLayout.MANIFEST
                    + ": it is not an Atelier dataset, or its writing did not finish; re-run the command that makes it");
        }
        Manifest manifest = Json.parse(HadoopFiles.readAll(manifestPath, conf), Manifest.class,
                manifestPath.toString());
        if (manifest.schemaVersion() > Manifest.SCHEMA_VERSION) {
            throw new IllegalArgumentException("dataset " + path + " has schema version " + manifest.schemaVersion()
                    + "; this Atelier reads up to " + Manifest.SCHEMA_VERSION + ": upgrade Atelier");
        }
        return new ImageDataset(path, manifest);
    }

    /** Opens a complete dataset and checks that its Parquet files can be read as one (their footers, not their rows). */
    public static ImageDataset open(SparkSession spark, String path) {
        ImageDataset dataset = open(path, spark.sparkContext().hadoopConfiguration());
        dataset.parquet(spark);
        return dataset;
    }

    public static boolean isDataset(String path, Configuration conf) {
        return HadoopFiles.exists(new Path(path, DatasetLayout.MANIFEST), conf);
    }

    public String path() {
        return path;
    }

    public Manifest manifest() {
        return manifest;
    }

    /** All rows, columns in {@link DatasetSchema#ROW} order. */
    public Dataset<Row> rows(SparkSession spark) {
        return parquet(spark).select(columns());
    }

    /**
     * All rows with their {@code caption} as a last column: null for every row of a dataset
     * without captions, so callers read old and new datasets alike.
     */
    public Dataset<Row> rowsWithCaptions(SparkSession spark) {
        Dataset<Row> all = parquet(spark);
        org.apache.spark.sql.Column caption = DatasetSchema.hasColumn(all.schema(), DatasetSchema.CAPTION)
                ? org.apache.spark.sql.functions.col(DatasetSchema.CAPTION)
                : org.apache.spark.sql.functions.lit(null).cast(org.apache.spark.sql.types.DataTypes.StringType)
                .as(DatasetSchema.CAPTION);
        org.apache.spark.sql.Column[] row = columns();
        org.apache.spark.sql.Column[] withCaption = java.util.Arrays.copyOf(row, row.length + 1);
        withCaption[row.length] = caption;
        return all.select(withCaption);
    }

    /** Rows of the given shards only; each shard is its own directory, so others are not read. */
    public Dataset<Row> shards(SparkSession spark, Collection<Integer> shards) {
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("no shards requested from " + path);
        }
        String in = shards.stream().map(String::valueOf).collect(Collectors.joining(","));
        return rows(spark).where(DatasetSchema.SHARD + " IN (" + in + ")");
    }

    /**
     * The dataset's Parquet files, refused in one line when their footers cannot be read (a truncated
     * or foreign file) or they lack a column of {@link DatasetSchema#ROW} (Parquet of another kind
     * beside a copied manifest), instead of Spark's analysis error at the first query.
     */
    private Dataset<Row> parquet(SparkSession spark) {
        Dataset<Row> all;
        try {
            all = spark.read().parquet(path);
        } catch (Exception e) { // Spark throws its checked exceptions from Scala
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause(); // Spark wraps the reader's own message (a file that is not Parquet) in its job's
            }
            throw new IllegalArgumentException("dataset " + path + ": its Parquet files cannot be read ("
                    + String.valueOf(root.getMessage()).lines().findFirst().orElse("") + "); re-run the command that made it", e);
        }
        java.util.Set<String> have = new java.util.TreeSet<>(java.util.List.of(all.schema().fieldNames()));
        java.util.List<String> missing = java.util.Arrays.stream(DatasetSchema.ROW.fieldNames())
                .filter(c -> !have.contains(c)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("dataset " + path + ": its Parquet files lack the column(s) " + missing
                    + " (they have " + have + "), so they are not an Atelier dataset; make one with ingest");
        }
        return all;
    }

    private static org.apache.spark.sql.Column[] columns() {
        return java.util.Arrays.stream(DatasetSchema.ROW.fieldNames())
                .map(org.apache.spark.sql.functions::col).toArray(org.apache.spark.sql.Column[]::new);
    }
}
