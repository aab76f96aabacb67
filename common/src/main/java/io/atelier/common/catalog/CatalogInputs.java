package io.atelier.common.catalog;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.ingest.RawItems;
import io.atelier.common.image.SparkImage;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.InvalidSettingException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.Serializable;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

/**
 * A catalog as one frame of items, whatever its form, before any decoding: {@code origin}
 * (where it came from), {@code path} (relative to the input, for mirrored image files; a
 * dataset's id), {@code id} (known only for datasets), the encoded {@code content} or the
 * decoded {@code image}, a {@code problem} when it could not even be read, and its {@code size}.
 * The same input gives the same partitions holding the same items, so a job may compute the
 * frame twice (stylize lists and checks, then reads again the images that still need work).
 */
public final class CatalogInputs implements Serializable {
    public static final int ORIGIN = 0;
    public static final int PATH = 1;
    public static final int ID = 2;
    public static final int CONTENT = 3;
    public static final int IMAGE = 4;
    public static final int PROBLEM = 5;
    public static final int SIZE = 6;

    public static final StructType ITEM = new StructType(new StructField[]{
            DataTypes.createStructField("origin", DataTypes.StringType, false),
            DataTypes.createStructField("path", DataTypes.StringType, false),
            DataTypes.createStructField("id", DataTypes.StringType, true),
            DataTypes.createStructField("content", DataTypes.BinaryType, true),
            DataTypes.createStructField("image", SparkImage.STRUCT, true),
            DataTypes.createStructField("problem", DataTypes.StringType, true),
            DataTypes.createStructField("size", DataTypes.LongType, false)});

    private CatalogInputs() {
    }

    public static boolean isGlob(String input) {
        return input.matches(".*[*?\\[{].*");
    }

    /** Fails in one line, before any data moves, when the input is not there. */
    public static void check(String input, Configuration conf) {
        if (!isGlob(input) && !HadoopFiles.exists(new Path(input), conf)) {
            throw new InvalidSettingException("{input} " + input + ": no such file or directory");
        }
    }

    /**
     * The items of a dataset directory, a glob of files, an image folder (recursively), an
     * archive (zip, tar, tar.gz: one item per entry) or a single file.
     *
     * @param maxFileBytes larger files (and archive entries) become items with a {@code problem}
     * @param filesPerUnit a folder's files per partition
     */
    public static Dataset<Row> read(SparkSession spark, String input, long maxFileBytes, int filesPerUnit) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        if (ImageDataset.isDataset(input, conf)) {
            return ImageDataset.open(input, conf).rows(spark).select(
                    col(DatasetSchema.IMAGE + ".origin").as("origin"), col(DatasetSchema.ID).as("path"),
                    col(DatasetSchema.ID), lit(null).cast(DataTypes.BinaryType).as("content"), col(DatasetSchema.IMAGE),
                    lit(null).cast(DataTypes.StringType).as("problem"),
                    org.apache.spark.sql.functions.length(col(DatasetSchema.IMAGE + ".data")).cast(DataTypes.LongType).as("size"));
        }
        if (isGlob(input)) {
            String prefix = qualifiedPrefix(input, conf);
            Dataset<Row> files = spark.read().format("binaryFile").load(input);
            return files.select(col("path").as("origin"), col("path").substr(prefix.length() + 2, Integer.MAX_VALUE).as("path"),
                    lit(null).cast(DataTypes.StringType).as("id"),
                    when(col("length").leq(maxFileBytes), col("content")).as("content"),
                    lit(null).cast(SparkImage.STRUCT).as("image"),
                    when(col("length").gt(maxFileBytes), lit("file larger than the " + maxFileBytes + "-byte limit"))
                            .as("problem"),
                    col("length").as("size"));
        }
        return read(spark, input, RawItems.list(spark, input, maxFileBytes, filesPerUnit));
    }

    /**
     * The plan of a folder, archive or single-file input (made from its listing; nothing is read),
     * or null for a dataset or a glob, whose items have no listing of their own.
     */
    public static RawItems.Listing listing(SparkSession spark, String input, long maxFileBytes, int filesPerUnit) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        if (ImageDataset.isDataset(input, conf) || isGlob(input)) {
            return null;
        }
        return RawItems.list(spark, input, maxFileBytes, filesPerUnit);
    }

    /** The items of a listed input, one partition per unit ({@link #read} for such an input). */
    public static Dataset<Row> read(SparkSession spark, String input, RawItems.Listing listing) {
        String[] cuts = cuts(input, spark.sparkContext().hadoopConfiguration());
        return spark.createDataFrame(listing.rows(spark).map(r -> item(r, cuts)), ITEM);
    }

    /**
     * The items of a listed input's files that are not in {@code known}, as {@link #ITEM} rows
     * followed by a {@code unit} column (their partition in {@link #read}'s frame).
     */
    public static Dataset<Row> readExcept(SparkSession spark, String input, RawItems.Listing listing,
                                          java.util.Set<String> known) {
        String[] cuts = cuts(input, spark.sparkContext().hadoopConfiguration());
        return spark.createDataFrame(listing.rowsExcept(spark, known).map(r -> {
            Row item = item(r, cuts);
            Object[] values = new Object[ITEM.size() + 1];
            for (int i = 0; i < ITEM.size(); i++) {
                values[i] = item.get(i);
            }
            values[ITEM.size()] = r.getInt(5);
            return RowFactory.create(values);
        }), ITEM.add("unit", DataTypes.IntegerType, false));
    }

    /** A {@link RawItems#SCHEMA} row as an item, its path relative to the input. */
    private static Row item(Row r, String[] cuts) {
        String origin = r.getString(0);
        String relative = origin.replaceFirst("^.*/", "");
        for (String cut : cuts) {
            if (origin.startsWith(cut)) {
                relative = origin.substring(cut.length());
                break;
            }
        }
        return RowFactory.create(origin, relative.replace("!/", "/"), null, r.get(1), r.get(2), r.get(3), r.get(4));
    }

    /** The input's folder as origins may begin with it: as given, then qualified as a fallback. */
    private static String[] cuts(String input, Configuration conf) {
        Path root = new Path(input);
        try {
            FileSystem fs = root.getFileSystem(conf);
            Path base = fs.getFileStatus(root).isDirectory() ? root : root.getParent();
            return new String[]{withSlash(base.toString()), withSlash(fs.makeQualified(base).toString())};
        } catch (IOException e) {
            throw new InvalidSettingException("{input} " + input + ": cannot be read: " + e.getMessage(), e);
        }
    }

    private static String withSlash(String dir) {
        return dir.endsWith("/") ? dir : dir + "/";
    }

    /** The glob's directory part before its first wildcard, as Spark's binaryFile spells paths. */
    private static String qualifiedPrefix(String glob, Configuration conf) {
        int wildcard = glob.length();
        for (char c : new char[]{'*', '?', '[', '{'}) {
            int i = glob.indexOf(c);
            if (i >= 0) {
                wildcard = Math.min(wildcard, i);
            }
        }
        int slash = glob.lastIndexOf('/', wildcard);
        Path dir = new Path(slash <= 0 ? "." : glob.substring(0, slash));
        try {
            return dir.getFileSystem(conf).makeQualified(dir).toString();
        } catch (IOException e) {
            throw new InvalidSettingException("{input} " + glob + ": " + e.getMessage(), e);
        }
    }
}
