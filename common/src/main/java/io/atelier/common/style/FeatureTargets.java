package io.atelier.common.style;

import io.atelier.common.features.KerasFeatureNetwork;
import io.atelier.common.features.KerasGraphBuilder;
import io.atelier.common.features.SameDiffSessions;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fixed targets of the perceptual losses: per style layer the Gram matrices, and the content
 * layer's map (NHWC, as the loss graph compares it), for a batch of {@code n} images of one size.
 * The graph is built once and reused for every batch of that shape.
 */
public final class FeatureTargets {
    private static final String INPUT = "targets/input";

    private final SameDiff sd = SameDiff.create();
    private final List<String> styleLayers;
    private final String contentLayer;

    public FeatureTargets(KerasFeatureNetwork net, int n, int height, int width, Collection<String> styleLayers,
                          String contentLayer) {
        this.styleLayers = List.copyOf(styleLayers);
        this.contentLayer = contentLayer;
        List<String> all = new ArrayList<>(styleLayers);
        all.add(contentLayer);
        net.requireLayers(all);
        SDVariable input = sd.placeHolder(INPUT, DataType.FLOAT, n, 3, height, width);
        KerasGraphBuilder.Built built = net.attach(sd, input, height, width);
        for (String layer : styleLayers) {
            long[] s = built.shapes().get(layer);
            StyleLosses.gramBatch(sd, "gram/" + layer, built.outputs().get(layer), n, s[0], s[1], s[2]);
        }
    }

    /** The targets of one fixed image {@code [1, 3, h, w]}: Gram matrices {@code [c, c]} and the content map. */
    public static Result of(KerasFeatureNetwork net, INDArray image, Collection<String> styleLayers, String contentLayer) {
        Result batch = new FeatureTargets(net, 1, (int) image.size(2), (int) image.size(3), styleLayers, contentLayer)
                .compute(image);
        Map<String, INDArray> grams = new LinkedHashMap<>();
        batch.grams().forEach((k, v) -> grams.put(k, v.slice(0).dup()));
        return new Result(grams, batch.content());
    }

    /** Gram matrices {@code [n, c, c]} per style layer, and the content layer's map {@code [n, h, w, c]}. */
    public record Result(Map<String, INDArray> grams, INDArray content) {
    }

    public synchronized Result compute(INDArray nchw) {
        List<String> names = new ArrayList<>();
        styleLayers.forEach(l -> names.add("gram/" + l));
        names.add(contentLayer);
        Map<String, INDArray> out;
        try {
            out = sd.output(Map.of(INPUT, nchw.castTo(DataType.FLOAT)), names);
        } finally {
            SameDiffSessions.end(sd);
        }
        Map<String, INDArray> grams = new LinkedHashMap<>();
        for (String layer : styleLayers) {
            grams.put(layer, out.get("gram/" + layer));
        }
        return new Result(grams, out.get(contentLayer));
    }
}
