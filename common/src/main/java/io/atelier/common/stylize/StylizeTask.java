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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The two per-item steps of a stylize job. {@link #check}: decode an item once to give it its
 * id or its quarantine reason (nothing kept but the key). {@link #stylize}: a partition of the
 * items still to do, streamed: a batch of them is decoded, stylized with each of its styles by
 * the executor's cached stylizer (one call per style and batch), and emitted as rows (plus PNG
 * files when asked). Nothing is held beyond one batch.
 */
final class StylizeTask implements Serializable {
    private static final int ORIGIN = CatalogInputs.ORIGIN;
    private static final int PATH = CatalogInputs.PATH;
    private static final int ID = CatalogInputs.ID;

    private final CatalogItem items;
    private final Broadcast<Map<String, StyleSpec>> styles;
    private final Broadcast<SerializableConfiguration> conf;
    private final String pngDir;
    private final int batch;
    private final int extraColumns;
    private final LongAccumulator stylized;
    private final LongAccumulator lost;
    private final DeviceLog devices;

    StylizeTask(long maxPixels, Broadcast<Map<String, StyleSpec>> styles, Broadcast<SerializableConfiguration> conf,
                String pngDir, int batch, int extraColumns, LongAccumulator stylized, LongAccumulator lost,
                DeviceLog devices) {
        this.batch = batch;
        this.extraColumns = extraColumns;
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

    /**
     * An item row followed by its unit -> (origin, path, id, reason, size, unit, file, decoded):
     * {@link #check}'s key, the file the item came from ({@link ItemListing#fileOf}), and true.
     */
    Row checkListed(Row item) {
        Row key = check(item, item.getInt(CatalogInputs.ITEM.size()));
        return RowFactory.create(key.get(0), key.get(1), key.get(2), key.get(3), key.get(4), key.get(5),
                ItemListing.fileOf(key.getString(0)), true);
    }

    /** Rows of (items columns..., styles array) -> output rows, lazily, {@code batch} images at a time. */
    Iterator<Row> stylize(Iterator<Row> work) {
        devices.bindTask();
        return io.atelier.common.compute.NativeMemory.guard(
                io.atelier.common.io.Refilling.of(work::hasNext, ready -> stylizeBatch(work, ready)));
    }

    /** An item decoded for the work stage: its row and its picture. */
    private record Pending(Row item, BufferedImage rgb) {
    }

    /**
     * Decodes up to {@code batch} items, then hands each style the pictures that want it in one
     * call: rows come out grouped by style within a batch, and a batch of one is the old order.
     */
    private void stylizeBatch(Iterator<Row> work, ArrayDeque<Row> out) {
        List<Pending> pending = new ArrayList<>(batch);
        Map<String, List<Pending>> byStyle = new LinkedHashMap<>();
        while (pending.size() < batch && work.hasNext()) {
            Row item = work.next();
            List<String> wanted = item.getList(item.length() - 1);
            try {
                Pending p = new Pending(item, items.decode(item).toRgb());
                pending.add(p);
                for (String styleId : wanted) {
                    byStyle.computeIfAbsent(styleId, k -> new ArrayList<>()).add(p);
                }
            } catch (RejectedImageException e) {
                lost.add(wanted.size()); // it decoded when listed: changed or removed since
            }
        }
        for (Map.Entry<String, List<Pending>> e : byStyle.entrySet()) {
            String styleId = e.getKey();
            StyleSpec spec = styles.value().get(styleId);
            ImageStylizer stylizer = Stylizers.get(spec);
            List<Pending> group = e.getValue();
            List<ImageStylizer.Stylized> results = stylizer.stylizeBatch(group.stream().map(Pending::rgb).toList());
            for (int i = 0; i < group.size(); i++) {
                Row item = group.get(i).item();
                ImageStylizer.Stylized r = results.get(i);
                if (r.columns().size() != extraColumns) {
                    throw new IllegalStateException("style " + styleId + " gave " + r.columns().size()
                            + " extra column values, the stage has " + extraColumns);
                }
                String path = item.getString(PATH);
                if (pngDir != null) {
                    HadoopFiles.writeAtomically(new Path(new Path(pngDir, styleId), pngName(path)),
                            ImageGrid.toPng(r.image()), conf.value().get());
                }
                SparkImage stored = SparkImage.fromRgb(item.getString(ORIGIN), r.image(), spec.channels());
                Object[] values = new Object[7 + extraColumns];
                values[0] = item.getString(ID);
                values[1] = item.getString(ORIGIN);
                values[2] = path;
                values[3] = styleId;
                values[4] = spec.method();
                values[5] = spec.paramsHash();
                values[6] = stored.toRow();
                for (int c = 0; c < extraColumns; c++) {
                    values[7 + c] = r.columns().get(c);
                }
                out.add(RowFactory.create(values));
                stylized.add(1);
            }
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
