package io.atelier.common.embed;

import io.atelier.common.compute.DeviceLog;
import io.atelier.common.data.ImageIds;
import io.atelier.common.image.AlignedBilinear;
import io.atelier.common.image.ImageDecoder;
import io.atelier.common.image.RejectedImageException;
import io.atelier.common.image.SparkImage;
import io.atelier.common.features.FeatureNetwork;
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
 * executor's cached network embeds each batch, and a bad image becomes one row with its reason.
 * Input rows: (origin, id or null, image struct or null, encoded bytes or null).
 */
final class EmbedPartition implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Broadcast<ExtractorSpec> spec;
    private final List<String> layers;
    private final long maxPixels;
    private final int batch;
    private final DeviceLog devices;

    EmbedPartition(Broadcast<ExtractorSpec> spec, List<String> layers, long maxPixels, int batch, DeviceLog devices) {
        this.spec = spec;
        this.layers = layers;
        this.maxPixels = maxPixels;
        this.batch = batch;
        this.devices = devices;
    }

    Iterator<Row> apply(Iterator<Row> inputs) {
        devices.bindTask();
        FeatureNetwork net = ExecutorNetworks.get(spec.value());
        ImageDecoder decoder = new ImageDecoder(maxPixels);
        return io.atelier.common.io.Refilling.of(inputs::hasNext, ready -> embedNextBatch(inputs, net, decoder, ready));
    }

    private record Decoded(String id, String origin, BufferedImage rgb) {
    }

    private void embedNextBatch(Iterator<Row> inputs, FeatureNetwork net, ImageDecoder decoder, ArrayDeque<Row> out) {
        List<Decoded> images = new ArrayList<>(batch);
        while (images.size() < batch && inputs.hasNext()) {
            Row in = inputs.next();
            String origin = in.getString(0);
            try {
                SparkImage image = in.isNullAt(2) ? SparkImage.fromRgb(origin, decoder.decode((byte[]) in.get(3)), 3)
                        : SparkImage.fromRow(in.getStruct(2));
                String id = in.isNullAt(1) ? ImageIds.contentId(image) : in.getString(1);
                images.add(new Decoded(id, origin, image.toRgb()));
            } catch (RejectedImageException | IllegalArgumentException e) {
                out.add(RowFactory.create(null, origin, null, null, e.getMessage()));
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
                        vector(maps.get(layer), i), null));
            }
        }
    }

    /** A spatial map's global average per channel; a flat layer's values as they are. */
    static float[] vector(INDArray layerOutput, int row) {
        INDArray one = layerOutput.slice(row);
        return (one.rank() == 3 ? one.mean(1, 2) : one).toFloatVector();
    }
}
