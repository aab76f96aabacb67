package io.atelier.common.train;

import io.atelier.common.data.DatasetSchema;
import org.apache.spark.sql.Row;

import java.io.Serializable;

/**
 * The int a training row hands its worker as its label: the class index by default; a model
 * conditioned on something else (a caption's index) supplies its own. -1 means none.
 * Rows have the dataset's columns and {@code caption} (see {@link io.atelier.common.data.ImageDataset#rowsWithCaptions}).
 */
public interface RowLabeler extends Serializable {
    RowLabeler CLASS = row -> {
        int field = row.fieldIndex(DatasetSchema.LABEL);
        return row.isNullAt(field) ? -1 : row.getInt(field);
    };

    int labelOf(Row row);
}
