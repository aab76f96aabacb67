package io.atelier.common.catalog;

import io.atelier.common.data.ImageIds;
import io.atelier.common.image.ImageDecoder;
import io.atelier.common.image.RejectedImageException;
import io.atelier.common.image.SparkImage;
import org.apache.spark.sql.Row;

import java.io.Serializable;

/**
 * Decodes one row of {@link CatalogInputs#ITEM} under a pixel limit: into its pixels and id (the
 * dataset's id, or a hash of the pixels), or into the reason it is quarantined. Every map stage
 * decodes through here, so an item is accepted or rejected, for the same reason, by each of them.
 */
public final class CatalogItem implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long maxPixels;

    public CatalogItem(long maxPixels) {
        this.maxPixels = maxPixels;
    }

    /** An item's outcome: {@code image} and {@code id}, or {@code reason} when it is rejected. */
    public record Decoded(String origin, SparkImage image, String id, String reason, long size) {
        public boolean rejected() {
            return reason != null;
        }
    }

    /** Never throws for a bad item: what cannot be read or decoded comes back with its reason. */
    public Decoded open(Row item) {
        String origin = item.getString(CatalogInputs.ORIGIN);
        long size = item.getLong(CatalogInputs.SIZE);
        if (!item.isNullAt(CatalogInputs.PROBLEM)) {
            return new Decoded(origin, null, null, item.getString(CatalogInputs.PROBLEM), size);
        }
        try {
            SparkImage image = decode(item);
            String id = item.isNullAt(CatalogInputs.ID) ? ImageIds.contentId(image) : item.getString(CatalogInputs.ID);
            return new Decoded(origin, image, id, null, size);
        } catch (RejectedImageException e) {
            return new Decoded(origin, null, null, e.getMessage(), size);
        } catch (RuntimeException e) {
            return new Decoded(origin, null, null, "cannot convert image: " + e, size);
        }
    }

    /** The item's pixels: a dataset's image struct as it is, encoded bytes decoded to RGB. */
    public SparkImage decode(Row item) throws RejectedImageException {
        if (!item.isNullAt(CatalogInputs.IMAGE)) {
            SparkImage px = SparkImage.fromRow(item.getStruct(CatalogInputs.IMAGE));
            if (px.height() <= 0 || px.width() <= 0) {
                throw new RejectedImageException("image struct holds no pixels (the source could not decode it)");
            }
            if ((long) px.height() * px.width() > maxPixels) {
                throw new RejectedImageException("image is " + px.width() + "x" + px.height() + ", over --max-pixels "
                        + maxPixels);
            }
            return px;
        }
        return SparkImage.fromRgb(item.getString(CatalogInputs.ORIGIN),
                new ImageDecoder(maxPixels).decode((byte[]) item.get(CatalogInputs.CONTENT)), 3);
    }
}
