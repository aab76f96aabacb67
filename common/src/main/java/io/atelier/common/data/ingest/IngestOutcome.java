package io.atelier.common.data.ingest;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.image.SparkImage;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The row an ingest task emits for each item: an accepted image (reason null) or a quarantine
 * record (image null). Both kinds travel in one frame so each input is decoded once.
 */
final class IngestOutcome {
    static final String SOURCE_LABEL = "source_label";
    static final String ORIGIN = "origin";
    static final String REASON = "reason";
    static final String SIZE = "size";

    static final StructType SCHEMA = new StructType(new StructField[]{
            DataTypes.createStructField(DatasetSchema.IMAGE, SparkImage.STRUCT, true),
            DataTypes.createStructField(DatasetSchema.ID, DataTypes.StringType, true),
            DataTypes.createStructField(SOURCE_LABEL, DataTypes.IntegerType, true),
            DataTypes.createStructField(DatasetSchema.LABEL_NAME, DataTypes.StringType, true),
            DataTypes.createStructField(DatasetSchema.SPLIT, DataTypes.StringType, true),
            DataTypes.createStructField(DatasetSchema.SHARD, DataTypes.IntegerType, true),
            DataTypes.createStructField(ORIGIN, DataTypes.StringType, false),
            DataTypes.createStructField(REASON, DataTypes.StringType, true),
            DataTypes.createStructField(SIZE, DataTypes.LongType, false),
            DataTypes.createStructField(DatasetSchema.CAPTION, DataTypes.StringType, true)});

    /** Position of {@link #REASON}: outcome rows are built without a schema, so by index. */
    static final int REASON_INDEX = SCHEMA.fieldIndex(REASON);

    /** The quarantine table's columns. */
    static final String[] QUARANTINE_COLUMNS = {ORIGIN, REASON, SIZE};

    private IngestOutcome() {
    }
}
