package io.atelier.common.data.ingest;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.image.SparkImage;
import io.atelier.common.io.InvalidSettingException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;

/**
 * Reads source items from rows with an {@code image} struct: Spark's {@code image} source output
 * or an existing dataset, whose label, label_name, split and caption are kept when present.
 */
final class FrameItems implements Serializable {
    private final boolean hasLabel;
    private final boolean hasLabelName;
    private final boolean hasSplit;
    private final boolean hasCaption;
    private final LabelSource labels;

    FrameItems(StructType schema, LabelSource labels, String what) {
        if (!DatasetSchema.hasImageStruct(schema)) {
            throw new InvalidSettingException("{input} " + what + " has no `image` column shaped like Spark's image"
                    + " struct (origin, height, width, nChannels, mode, data); give spark.read.format(\"image\")"
                    + " output or an Atelier dataset");
        }
        this.hasLabel = DatasetSchema.hasColumn(schema, DatasetSchema.LABEL);
        this.hasLabelName = DatasetSchema.hasColumn(schema, DatasetSchema.LABEL_NAME);
        this.hasSplit = DatasetSchema.hasColumn(schema, DatasetSchema.SPLIT);
        this.hasCaption = DatasetSchema.hasColumn(schema, DatasetSchema.CAPTION);
        this.labels = labels;
    }

    SourceItem toItem(Row row) {
        Row struct = row.getStruct(row.fieldIndex(DatasetSchema.IMAGE));
        if (struct == null) {
            return SourceItem.unreadable("<row without image>", -1, "image struct is null");
        }
        String origin = struct.getString(struct.fieldIndex("origin"));
        SparkImage image;
        try {
            image = SparkImage.fromRow(struct);
        } catch (RuntimeException e) {
            byte[] data = (byte[]) struct.get(struct.fieldIndex("data"));
            return SourceItem.unreadable(origin, data == null ? -1 : data.length,
                    "image struct holds no valid pixels (the source could not decode it): " + e.getMessage());
        }
        Integer label = null;
        String labelName = null;
        if (labels != LabelSource.NONE) {
            if (hasLabel && !row.isNullAt(row.fieldIndex(DatasetSchema.LABEL))) {
                label = row.getInt(row.fieldIndex(DatasetSchema.LABEL));
            }
            if (hasLabelName) {
                labelName = row.getString(row.fieldIndex(DatasetSchema.LABEL_NAME));
            } else if (!hasLabel) {
                labelName = parentFolder(origin); // image-folder layout under the loaded root
            }
            if (label != null && labelName == null) {
                labelName = String.valueOf(label);
            }
        }
        String split = hasSplit ? row.getString(row.fieldIndex(DatasetSchema.SPLIT)) : null;
        String caption = hasCaption ? row.getString(row.fieldIndex(DatasetSchema.CAPTION)) : null;
        return SourceItem.pixels(origin, image, labelName, label, split, caption);
    }

    private static String parentFolder(String origin) {
        if (origin == null) {
            return null;
        }
        String[] parts = origin.split("/");
        return parts.length >= 2 && !parts[parts.length - 2].isEmpty() ? parts[parts.length - 2] : null;
    }
}
