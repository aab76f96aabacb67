package io.atelier.common.stylize;

import io.atelier.common.catalog.CatalogInputs;
import io.atelier.common.catalog.CatalogItem;
import io.atelier.common.compute.DeviceLog;
import io.atelier.common.data.ImageIds;
import io.atelier.common.image.ImageDecoder;
import io.atelier.common.image.ImageGrid;
import io.atelier.common.image.RejectedImageException;
import io.atelier.common.image.SparkImage;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.SafePaths;
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
    private static final int ORIGIN = CatalogInputs.ORIGIN;
    private static final int PATH = CatalogInputs.PATH;
    private static final int ID = CatalogInputs.ID;

    private final CatalogItem items;
    private final Broadcast<Map<String, StyleSpec>> styles;
    private final Broadcast<SerializableConfiguration> conf;
    private final String pngDir;
    private final LongAccumulator stylized;
    private final LongAccumulator lost;
    private final DeviceLog devices;

    StylizeTask(long maxPixels, Broadcast<Map<String, StyleSpec>> styles, Broadcast<SerializableConfiguration> conf,
                String pngDir, LongAccumulator stylized, LongAccumulator lost, DeviceLog devices) {
        this.items = new CatalogItem(maxPixels);
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
        CatalogItem.Decoded d = items.open(item);
        return RowFactory.create(d.origin(), item.getString(PATH), d.id(), d.reason(), d.size(), unit);
    }

    /** Rows of (items columns..., styles array) -> output rows, lazily. */
    Iterator<Row> stylize(Iterator<Row> work) {
        devices.bindTask();
        return io.atelier.common.compute.NativeMemory.guard(
                io.atelier.common.io.Refilling.of(work::hasNext, ready -> stylizeOne(work.next(), ready)));
    }

    private void stylizeOne(Row item, ArrayDeque<Row> out) {
        List<String> wanted = item.getList(item.length() - 1);
        BufferedImage rgb;
        try {
            rgb = items.decode(item).toRgb();
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
            SparkImage stored = SparkImage.fromRgb(item.getString(ORIGIN), result, spec.channels());
            out.add(RowFactory.create(id, item.getString(ORIGIN), path, styleId, spec.method(), spec.paramsHash(),
                    stored.toRow()));
            stylized.add(1);
        }
    }

    /**
     * The input's relative path with a .png extension ({@code a/b.jpg -> a/b.png}), confined to the
     * PNG directory: an entry named {@code ../../x.png} lands at {@code __/__/x.png} inside it.
     */
    static String pngName(String path) {
        String p = SafePaths.confined(path.replace(':', '_'));
        int slash = p.lastIndexOf('/');
        int dot = p.lastIndexOf('.');
        return "./" + (dot > slash ? p.substring(0, dot) : p) + ".png";
    }
}
