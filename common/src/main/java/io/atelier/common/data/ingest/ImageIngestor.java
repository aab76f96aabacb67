package io.atelier.common.data.ingest;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageIds;
import io.atelier.common.image.ImageDecoder;
import io.atelier.common.image.ImageFit;
import io.atelier.common.image.RejectedImageException;
import io.atelier.common.image.SparkImage;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.awt.image.BufferedImage;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Turns one source item into an outcome row: decode, fit to the square, convert channels,
 * derive the content id, the split and the shard. Never throws for bad input.
 */
final class ImageIngestor implements Serializable {
    private final int size;
    private final int channels;
    private final ImageFit fit;
    private final int shards;
    private final double testFraction;
    private final long seed;
    private final SplitBy splitBy;
    private final long maxPixels;
    private transient ImageDecoder decoder;

    ImageIngestor(IngestOptions options, int channels) {
        this.size = options.size();
        this.channels = channels;
        this.fit = options.fit();
        this.shards = options.shards();
        this.testFraction = options.testFraction();
        this.seed = options.seed();
        this.splitBy = options.splitBy();
        this.maxPixels = options.maxPixels();
    }

    Row process(SourceItem item) {
        if (item.problem() != null) {
            return quarantine(item, item.problem());
        }
        try {
            SparkImage image = toTarget(item);
            String id = ImageIds.contentId(image);
            String split = item.split() != null ? item.split() : splitOf(splitBy.keyOf(item.origin(), id));
            return RowFactory.create(image.toRow(), id, item.label(), item.labelName(), split, ImageIds.shardOf(id, shards),
                    item.origin(), null, item.sizeBytes(), item.caption());
        } catch (RejectedImageException e) {
            return quarantine(item, e.getMessage());
        } catch (RuntimeException e) {
            return quarantine(item, "cannot convert image: " + e);
        }
    }

    private SparkImage toTarget(SourceItem item) throws RejectedImageException {
        if (item.pixels() != null) {
            SparkImage px = item.pixels();
            if (px.height() <= 0 || px.width() <= 0) {
                throw new RejectedImageException("image struct holds no pixels (the source could not decode it)");
            }
            if ((long) px.height() * px.width() > maxPixels) {
                throw new RejectedImageException("image is " + px.width() + "x" + px.height()
                        + ", over --max-pixels " + maxPixels);
            }
            if (px.height() == size && px.width() == size && px.nChannels() == channels) {
                return new SparkImage(item.origin(), size, size, channels, px.mode(), px.data());
            }
            return SparkImage.fromRgb(item.origin(), fit.apply(px.toRgb(), size), channels);
        }
        if (decoder == null) {
            decoder = new ImageDecoder(maxPixels);
        }
        BufferedImage rgb = decoder.decode(item.encoded());
        return SparkImage.fromRgb(item.origin(), fit.apply(rgb, size), channels);
    }

    private Row quarantine(SourceItem item, String reason) {
        return RowFactory.create(null, null, null, null, null, null, item.origin(), reason, item.sizeBytes(), null);
    }

    private String splitOf(String key) {
        if (testFraction <= 0) {
            return DatasetSchema.TRAIN;
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update((seed + ":" + key).getBytes(StandardCharsets.UTF_8));
            long bits = ByteBuffer.wrap(sha.digest()).getLong() >>> 11;
            double u = bits / (double) (1L << 53);
            return u < testFraction ? DatasetSchema.TEST : DatasetSchema.TRAIN;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from this JVM", e);
        }
    }
}
