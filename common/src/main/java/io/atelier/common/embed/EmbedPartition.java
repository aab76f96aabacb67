package io.atelier.common.embed;

import io.atelier.common.catalog.CatalogItem;
import io.atelier.common.compute.DeviceLog;
import io.atelier.common.data.ImageIds;
import io.atelier.common.features.FeatureNetwork;
import io.atelier.common.image.AlignedBilinear;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.awt.image.BufferedImage;
import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One partition of an embedding job: rows stream through in batches (never all in memory), the
 * executor's cached network embeds each batch, and a bad image becomes one row with its reason
 * and size. Input rows: {@link io.atelier.common.catalog.CatalogInputs#ITEM}.
 */
final class EmbedPartition implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Broadcast<ExtractorSpec> spec;
    private final List<String> layers;
    private final CatalogItem items;
    private final int batch;
    private final DeviceLog devices;

    EmbedPartition(Broadcast<ExtractorSpec> spec, List<String> layers, long maxPixels, int batch, DeviceLog devices) {
        this.spec = spec;
        this.layers = layers;
        this.items = new CatalogItem(maxPixels);
        this.batch = batch;
        this.devices = devices;
    }

    Iterator<Row> apply(Iterator<Row> inputs) {
        devices.bindTask();
        FeatureNetwork net = io.atelier.common.compute.NativeMemory.guard(() -> ExecutorNetworks.get(spec.value()));
        return io.atelier.common.compute.NativeMemory.guard(
                io.atelier.common.io.Refilling.of(inputs::hasNext, ready -> embedNextBatch(inputs, net, ready)));
    }

    private record Decoded(String id, String origin, BufferedImage rgb) {
    }

    private void embedNextBatch(Iterator<Row> inputs, FeatureNetwork net, ArrayDeque<Row> out) {
        List<Decoded> images = new ArrayList<>(batch);
        while (images.size() < batch && inputs.hasNext()) {
            CatalogItem.Decoded item = items.open(inputs.next());
            String reason = item.reason();
            if (reason == null) {
                try {
                    images.add(new Decoded(item.id(), item.origin(), item.image().toRgb()));
                } catch (RuntimeException e) {
                    reason = "cannot convert image: " + e;
                }
            }
            if (reason != null) {
                out.add(RowFactory.create(null, item.origin(), null, null, reason, item.size()));
            }
        }
        if (images.isEmpty()) {
            return;
        }
        int size = net.inputSize();
        INDArray x = Nd4j.create(AlignedBilinear.toUnitNchw(images.stream().map(Decoded::rgb).toList(), size),
                new long[]{images.size(), 3, size, size}, 'c');
        Map<String, INDArray> maps = net.forward(x, layers);
        for (int i = 0; i < images.size(); i++) {
            for (String layer : layers) {
                out.add(RowFactory.create(images.get(i).id(), images.get(i).origin(), layer,
                        vector(maps.get(layer), i), null, null));
            }
        }
    }

    /** A spatial map's global average per channel; a flat layer's values as they are. */
    static float[] vector(INDArray layerOutput, int row) {
        INDArray one = layerOutput.slice(row);
        return (one.rank() == 3 ? one.mean(1, 2) : one).toFloatVector();
    }
}
