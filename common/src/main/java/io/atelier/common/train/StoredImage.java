package io.atelier.common.train;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.image.SparkImage;
import org.apache.spark.sql.Row;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Comparator;

/** A training row on its way to its worker: pixels as stored (interleaved, BGR), not yet decoded. */
record StoredImage(String id, int label, int height, int width, int channels, byte[] data) implements Serializable {

    /** A total order on content, so a worker's images line up the same way in every run. */
    static final Comparator<StoredImage> ORDER = Comparator.comparing(StoredImage::id)
            .thenComparingInt(StoredImage::label)
            .thenComparing(StoredImage::data, Arrays::compare);

    /** From a row with {@code image}, {@code id} and {@code label} columns. */
    static StoredImage of(Row row) {
        SparkImage image = SparkImage.fromRow(row.getStruct(row.fieldIndex(DatasetSchema.IMAGE)));
        int labelField = row.fieldIndex(DatasetSchema.LABEL);
        int label = row.isNullAt(labelField) ? -1 : row.getInt(labelField);
        return new StoredImage(row.getString(row.fieldIndex(DatasetSchema.ID)), label, image.height(), image.width(),
                image.nChannels(), image.data());
    }
}
