package io.atelier.common.data.ingest;

import io.atelier.common.image.SparkImage;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.SerializableConfiguration;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;

/**
 * Ingest's readers for jobs that consume images without making a dataset (stylize): an image
 * folder (recursively), a zip/tar/tar.gz archive, a single file or IDX files, cut into the same
 * work units as ingest, yielding one row per item before any decoding. Unreadable files, oversized
 * archive entries and damaged archives become rows with a {@code problem}, never errors.
 */
public final class RawItems {
    public static final StructType SCHEMA = new StructType(new StructField[]{
            DataTypes.createStructField("origin", DataTypes.StringType, false),
            DataTypes.createStructField("content", DataTypes.BinaryType, true),
            DataTypes.createStructField("image", SparkImage.STRUCT, true),
            DataTypes.createStructField("problem", DataTypes.StringType, true),
            DataTypes.createStructField("size", DataTypes.LongType, false)});

    private RawItems() {
    }

    /**
     * The items under {@code input}, a folder's in units (partitions) of {@code filesPerUnit}
     * files; the same input gives the same partitions in the same order. A unit's items are held
     * together while its task reads them, so a fixed count keeps that memory the same whatever the
     * catalog's size (ingest's own units grow to 256 files with the catalog, for throughput).
     * Parquet directories are not read here (callers read datasets and image frames themselves).
     */
    public static JavaRDD<Row> read(SparkSession spark, String input, long maxFileBytes, int filesPerUnit) {
        IngestOptions options = new IngestOptions(List.of(input), "unused", 8, 3, io.atelier.common.image.ImageFit.CROP,
                1, 0, 0, LabelSource.NONE, IngestOptions.DEFAULT_MAX_PIXELS, maxFileBytes, null);
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        InputPlan plan = new InputPlanner(options, conf, spark.sparkContext().defaultParallelism(), filesPerUnit).plan();
        if (!plan.frames().isEmpty()) {
            throw new InvalidSettingException("{input} " + input + " is Parquet without a dataset manifest;"
                    + " ingest it into a dataset first, or give the image files");
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        if (plan.units().isEmpty()) {
            return jsc.emptyRDD();
        }
        Broadcast<SerializableConfiguration> shipped = jsc.broadcast(new SerializableConfiguration(conf));
        return jsc.parallelize(plan.units(), plan.units().size()).flatMap(unit -> {
            List<Row> rows = new ArrayList<>();
            unit.read(shipped.value().get(), item -> rows.add(toRow(item)));
            return rows.iterator();
        });
    }

    private static Row toRow(SourceItem item) {
        return RowFactory.create(item.origin(), item.encoded(), item.pixels() == null ? null : item.pixels().toRow(),
                item.problem(), Math.max(0, item.sizeBytes()));
    }
}
