package io.atelier.common.stylize;

import io.atelier.common.compute.DeviceLog;
import io.atelier.common.data.ImageIds;
import io.atelier.common.image.ImageDecoder;
import io.atelier.common.image.ImageGrid;
import io.atelier.common.image.RejectedImageException;
import io.atelier.common.image.SparkImage;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.SerializableConfiguration;
import io.atelier.common.style.ImageStylizer;
import org.apache.hadoop.fs.Path;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;

import java.awt.image.BufferedImage;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The two per-item steps of a stylize job. {@link #check}: decode an item once to give it its
 * id or its quarantine reason (nothing kept but the key). {@link #stylize}: a partition of the
 * items still to do, streamed: each is decoded, stylized with each of its styles by the
 * executor's cached stylizer, and emitted as a row (plus a PNG file when asked). Nothing is
 * held beyond one image.
 */
final class StylizeTask implements Serializable {
    static final int ORIGIN = 0;
    static final int PATH = 1;
    static final int ID = 2;
    static final int CONTENT = 3;
    static final int IMAGE = 4;
    static final int PROBLEM = 5;
    static final int SIZE = 6;

    private final long maxPixels;
    private final Broadcast<Map<String, StyleSpec>> styles;
    private final Broadcast<SerializableConfiguration> conf;
    private final String pngDir;
    private final LongAccumulator stylized;
    private final LongAccumulator lost;
    private final DeviceLog devices;

    StylizeTask(long maxPixels, Broadcast<Map<String, StyleSpec>> styles, Broadcast<SerializableConfiguration> conf,
                String pngDir, LongAccumulator stylized, LongAccumulator lost, DeviceLog devices) {
        this.maxPixels = maxPixels;
        this.styles = styles;
        this.conf = conf;
        this.pngDir = pngDir;
        this.stylized = stylized;
        this.lost = lost;
        this.devices = devices;
    }

    /**
     * An item row of partition {@code unit} -> (origin, path, id, reason, size, unit): id when it
     * decodes, reason when not.
     */
    Row check(Row item, int unit) {
        String origin = item.getString(ORIGIN);
        String path = item.getString(PATH);
        long size = item.getLong(SIZE);
        if (!item.isNullAt(PROBLEM)) {
            return RowFactory.create(origin, path, null, item.getString(PROBLEM), size, unit);
        }
        try {
            SparkImage image = decode(item);
            return RowFactory.create(origin, path, item.isNullAt(ID) ? ImageIds.contentId(image) : item.getString(ID),
                    null, size, unit);
        } catch (RejectedImageException e) {
            return RowFactory.create(origin, path, null, e.getMessage(), size, unit);
        } catch (RuntimeException e) {
            return RowFactory.create(origin, path, null, "cannot convert image: " + e, size, unit);
        }
    }

    private SparkImage decode(Row item) throws RejectedImageException {
        if (!item.isNullAt(IMAGE)) {
            SparkImage px = SparkImage.fromRow(item.getStruct(IMAGE));
            if (px.height() <= 0 || px.width() <= 0) {
                throw new RejectedImageException("image struct holds no pixels (the source could not decode it)");
            }
            if ((long) px.height() * px.width() > maxPixels) {
                throw new RejectedImageException("image is " + px.width() + "x" + px.height() + ", over --max-pixels "
                        + maxPixels);
            }
            return px;
        }
        return SparkImage.fromRgb(item.getString(ORIGIN), new ImageDecoder(maxPixels).decode((byte[]) item.get(CONTENT)), 3);
    }

    /** Rows of (items columns..., styles array) -> output rows, lazily. */
    Iterator<Row> stylize(Iterator<Row> work) {
        devices.bindTask();
        return io.atelier.common.io.Refilling.of(work::hasNext, ready -> stylizeOne(work.next(), ready));
    }

    private void stylizeOne(Row item, ArrayDeque<Row> out) {
        List<String> wanted = item.getList(item.length() - 1);
        BufferedImage rgb;
        try {
            rgb = decode(item).toRgb();
        } catch (RejectedImageException e) {
            lost.add(wanted.size()); // it decoded when listed: changed or removed since
            return;
        }
        String id = item.getString(ID);
        String path = item.getString(PATH);
        for (String styleId : wanted) {
            StyleSpec spec = styles.value().get(styleId);
            ImageStylizer stylizer = Stylizers.get(spec);
            BufferedImage result = stylizer.stylize(rgb);
            if (pngDir != null) {
                HadoopFiles.writeAtomically(new Path(new Path(pngDir, styleId), pngName(path)), ImageGrid.toPng(result),
                        conf.value().get());
            }
            SparkImage stored = SparkImage.fromRgb(item.getString(ORIGIN), result, 3);
            out.add(RowFactory.create(id, item.getString(ORIGIN), path, styleId, spec.method().label(), spec.paramsHash(),
                    stored.toRow()));
            stylized.add(1);
        }
    }

    /** The input's relative path with a .png extension ({@code a/b.jpg -> a/b.png}). */
    static String pngName(String path) {
        String p = path.replace(':', '_');
        int slash = p.lastIndexOf('/');
        int dot = p.lastIndexOf('.');
        return "./" + (dot > slash ? p.substring(0, dot) : p) + ".png";
    }
}
