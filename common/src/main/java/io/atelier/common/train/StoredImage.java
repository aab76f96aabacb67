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

    /** From a row with {@code image} and {@code id} columns and those {@code labeler} reads. */
    static StoredImage of(Row row, RowLabeler labeler) {
        SparkImage image = SparkImage.fromRow(row.getStruct(row.fieldIndex(DatasetSchema.IMAGE)));
        int label = labeler.labelOf(row);
        return new StoredImage(row.getString(row.fieldIndex(DatasetSchema.ID)), label, image.height(), image.width(),
                image.nChannels(), image.data());
    }
}
