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
        return list(spark, input, maxFileBytes, filesPerUnit).rows(spark);
    }

    /** The input's plan, made on the driver from its listing alone: nothing is opened yet. */
    public static Listing list(SparkSession spark, String input, long maxFileBytes, int filesPerUnit) {
        IngestOptions options = new IngestOptions(List.of(input), "unused", 8, 3, io.atelier.common.image.ImageFit.CROP,
                1, 0, 0, LabelSource.NONE, IngestOptions.DEFAULT_MAX_PIXELS, maxFileBytes, null);
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        InputPlan plan = new InputPlanner(options, conf, spark.sparkContext().defaultParallelism(), filesPerUnit).plan();
        if (!plan.frames().isEmpty()) {
            throw new InvalidSettingException("{input} " + input + " is Parquet without a dataset manifest;"
                    + " ingest it into a dataset first, or give the image files");
        }
        return new Listing(plan.units(), plan.listed());
    }

    /**
     * An input cut into work units, with the files they read ({@link ListedFile}), so that a job
     * can read all of it, or only the files whose stamps it does not already know.
     */
    public static final class Listing {
        private final List<WorkUnit> units;
        private final List<ListedFile> files;

        private Listing(List<WorkUnit> units, List<ListedFile> files) {
            this.units = units;
            this.files = files;
        }

        /** The folder files and archives the units read, in unit order; IDX records and skipped links are not among them. */
        public List<ListedFile> files() {
            return files;
        }

        /** Every item, one partition per unit, in unit order. */
        public JavaRDD<Row> rows(SparkSession spark) {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            if (units.isEmpty()) {
                return jsc.emptyRDD();
            }
            Broadcast<SerializableConfiguration> shipped = jsc.broadcast(new SerializableConfiguration(
                    spark.sparkContext().hadoopConfiguration()));
            return jsc.parallelize(units, units.size()).flatMap(unit -> {
                List<Row> rows = new ArrayList<>();
                unit.read(shipped.value().get(), item -> rows.add(toRow(item)));
                return rows.iterator();
            });
        }

        /**
         * The items of the listed files that are not in {@code known} (by {@link ListedFile#file}),
         * and every item of the units that list no files (IDX records, skipped links), as
         * {@link #SCHEMA} rows followed by their unit; a unit with nothing left to read is not read,
         * so nothing at all is read when everything is known.
         */
        public JavaRDD<Row> rowsExcept(SparkSession spark, java.util.Set<String> known) {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            List<scala.Tuple2<Integer, WorkUnit>> left = new ArrayList<>();
            for (int u = 0; u < units.size(); u++) {
                WorkUnit unit = units.get(u);
                if (unit instanceof FileBatchUnit batch) {
                    FileBatchUnit rest = batch.only(f -> !known.contains(f));
                    if (!rest.relativePaths().isEmpty()) {
                        left.add(new scala.Tuple2<>(u, rest));
                    }
                } else if (!(unit instanceof ArchiveUnit archive && known.contains(archive.path()))) {
                    left.add(new scala.Tuple2<>(u, unit));
                }
            }
            if (left.isEmpty()) {
                return jsc.emptyRDD();
            }
            Broadcast<SerializableConfiguration> shipped = jsc.broadcast(new SerializableConfiguration(
                    spark.sparkContext().hadoopConfiguration()));
            return jsc.parallelize(left, left.size()).flatMap(unit -> {
                List<Row> rows = new ArrayList<>();
                unit._2().read(shipped.value().get(), item -> {
                    Row r = toRow(item);
                    rows.add(RowFactory.create(r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), unit._1()));
                });
                return rows.iterator();
            });
        }
    }

    private static Row toRow(SourceItem item) {
        return RowFactory.create(item.origin(), item.encoded(), item.pixels() == null ? null : item.pixels().toRow(),
                item.problem(), Math.max(0, item.sizeBytes()));
    }
}
