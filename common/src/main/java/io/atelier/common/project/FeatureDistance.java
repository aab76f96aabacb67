package io.atelier.common.project;

import io.atelier.common.families.stylegan.StyleGanProjector;
import io.atelier.common.features.KerasFeatureNetwork;
import io.atelier.common.features.KerasGraphBuilder;
import io.atelier.common.features.SameDiffSessions;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Mean squared difference of one layer's activations of a feature network between images and
 * their targets, per image, with its gradient to the images (the network's graph joined to the
 * image as Gatys' stylization does). Grey images are fed as three equal channels. One SameDiff
 * graph per batch size, built on first use. Not thread-safe (the projector calls it in turn).
 */
public final class FeatureDistance implements StyleGanProjector.FeatureLoss {
    private static final String IMAGE = "image";
    private static final String TARGET = "target";
    private static final String PER_IMAGE = "distance";
    private static final String TOTAL = "total";

    private final KerasFeatureNetwork net;
    private final String layer;
    private final int size;
    private final Map<Integer, SameDiff> graphs = new HashMap<>();
    private INDArray targets;
    /** The layer's [h, w, c] at this size. */
    private long[] shape;

    public FeatureDistance(KerasFeatureNetwork net, String layer, int size) {
        net.requireLayers(List.of(layer));
        this.net = net;
        this.layer = layer;
        this.size = size;
    }

    private SameDiff graph(int n) {
        return graphs.computeIfAbsent(n, rows -> {
            SameDiff sd = SameDiff.create();
            SDVariable image = sd.var(IMAGE, Nd4j.zeros(DataType.FLOAT, rows, 3, size, size));
            KerasGraphBuilder.Built built = net.attach(sd, image, size, size);
            SDVariable f = sd.identity(layer + "/out", built.outputs().get(layer));
            long[] s = built.shapes().get(layer);
            shape = s;
            SDVariable target = sd.placeHolder(TARGET, DataType.FLOAT, rows, s[0], s[1], s[2]);
            SDVariable diff = f.sub(target);
            SDVariable per = sd.mean(PER_IMAGE, diff.mul(diff), 1, 2, 3);
            sd.sum(TOTAL, per);
            sd.setLossVariables(TOTAL);
            return sd;
        });
    }

    /** NHWC rows in [-1, 1] with 1 or 3 channels -> NCHW RGB in [0, 1], as the network takes. */
    private static INDArray toUnitRgb(INDArray nhwc, int n) {
        INDArray nchw = nhwc.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n)).permute(0, 3, 1, 2)
                .add(1.0).muli(0.5);
        return nchw.size(1) == 1 ? Nd4j.concat(1, nchw, nchw, nchw) : nchw.dup('c');
    }

    @Override
    public void setTargets(INDArray nhwc, int n) {
        SameDiff sd = graph(n);
        sd.getVariable(IMAGE).setArray(toUnitRgb(nhwc, n));
        try {
            long[] s = shape;
            Map<String, INDArray> out = sd.output(Map.of(TARGET, Nd4j.zeros(DataType.FLOAT, n, s[0], s[1], s[2])),
                    layer + "/out");
            targets = out.get(layer + "/out").dup();
        } finally {
            SameDiffSessions.end(sd);
        }
    }

    @Override
    public double[] distance(INDArray nhwc, int n, double weight, INDArray gradInto) {
        SameDiff sd = graph(n);
        sd.getVariable(IMAGE).setArray(toUnitRgb(nhwc, n));
        try {
            OutAndGrad r = sd.calculateGradientsAndOutputs(Map.of(TARGET, targets), List.of(PER_IMAGE, TOTAL),
                    List.of(IMAGE));
            INDArray g = r.getGradients().get(IMAGE); // [n, 3, S, S] over unit RGB
            if (nhwc.size(3) == 1) {
                g = g.sum(true, 1);
            }
            // d(unit)/d(x in [-1, 1]) = 1/2; back to NHWC.
            INDArray gNhwc = g.permute(0, 2, 3, 1).mul(0.5 * weight);
            gradInto.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n)).addi(gNhwc);
            return r.getOutputs().get(PER_IMAGE).toDoubleVector();
        } finally {
            SameDiffSessions.end(sd);
        }
    }
}
