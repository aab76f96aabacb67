package io.atelier.common.data;

import io.atelier.common.image.SparkImage;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;

/** Column names and the row schema of a dataset, and checks that a frame holds images. */
public final class DatasetSchema {
    public static final String IMAGE = "image";
    public static final String ID = "id";
    public static final String LABEL = "label";
    public static final String LABEL_NAME = "label_name";
    public static final String SPLIT = "split";
    public static final String SHARD = "shard";
    /** Optional free text describing the image; a dataset has the column only when some row has one. */
    public static final String CAPTION = "caption";

    public static final String TRAIN = "train";
    public static final String TEST = "test";

    /** Rows as stored; {@code shard} is also the Parquet partition directory ({@code shard=N}). */
    public static final StructType ROW = new StructType(new StructField[]{
            DataTypes.createStructField(IMAGE, SparkImage.STRUCT, false),
            DataTypes.createStructField(ID, DataTypes.StringType, false),
            DataTypes.createStructField(LABEL, DataTypes.IntegerType, true),
            DataTypes.createStructField(LABEL_NAME, DataTypes.StringType, true),
            DataTypes.createStructField(SPLIT, DataTypes.StringType, false),
            DataTypes.createStructField(SHARD, DataTypes.IntegerType, false)});

    private DatasetSchema() {
    }

    /** True when the schema has an {@code image} column shaped like Spark's image struct. */
    public static boolean hasImageStruct(StructType schema) {
        if (!Arrays.asList(schema.fieldNames()).contains(IMAGE)) {
            return false;
        }
        DataType type = schema.apply(IMAGE).dataType();
        if (!(type instanceof StructType struct)) {
            return false;
        }
        for (StructField required : SparkImage.STRUCT.fields()) {
            if (!Arrays.asList(struct.fieldNames()).contains(required.name())
                    || !struct.apply(required.name()).dataType().equals(required.dataType())) {
                return false;
            }
        }
        return true;
    }

    public static boolean hasColumn(StructType schema, String name) {
        return Arrays.asList(schema.fieldNames()).contains(name);
    }
}
