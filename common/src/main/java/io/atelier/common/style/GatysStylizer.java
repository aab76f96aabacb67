package io.atelier.common.style;

import io.atelier.common.features.KerasFeatureNetwork;
import io.atelier.common.features.KerasGraphBuilder;
import io.atelier.common.io.InvalidSettingException;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Gatys et al.'s stylization: the image itself is the variable; the loss is content weight x
 * content loss + style weight x weighted style losses + TV weight x total variation; L-BFGS or
 * Adam steps on the image, kept in [0, 1]. Images are NCHW {@code [1, 3, h, w]} RGB in [0, 1].
 */
public final class GatysStylizer {
    private static final String IMAGE = "image";
    private static final String TOTAL = "loss/total";
    private static final String STYLE = "loss/style";
    private static final String CONTENT = "loss/content";
    private static final String TV = "loss/tv";

    private final KerasFeatureNetwork net;

    public GatysStylizer(KerasFeatureNetwork net) {
        this.net = net;
    }

    /** The losses after one step (before its update). */
    public record Step(int iteration, double total, double style, double content, double tv) {
    }

    public record Result(INDArray image, List<Step> history) {
    }

    public Result stylize(INDArray content, INDArray style, GatysOptions o) {
        return stylize(content, style, o, start(content, style, o));
    }

    /** As {@link #stylize(INDArray, INDArray, GatysOptions)}, from a given start (a coarser scale's result, say). */
    public Result stylize(INDArray content, INDArray style, GatysOptions o, INDArray startImage) {
        if (!java.util.Arrays.equals(startImage.shape(), content.shape())) {
            throw new IllegalArgumentException("the start image must have the content's shape "
                    + java.util.Arrays.toString(content.shape()) + ", got " + java.util.Arrays.toString(startImage.shape()));
        }
        List<String> layers = new ArrayList<>(o.styleLayers().keySet());
        layers.add(o.contentLayer());
        net.requireLayers(layers);
        Map<String, INDArray> styleTargets = FeatureTargets.of(net, style, o.styleLayers().keySet(), o.contentLayer()).grams();
        INDArray contentTarget = FeatureTargets.of(net, content, o.styleLayers().keySet(), o.contentLayer()).content();

        long h = content.size(2);
        long w = content.size(3);
        SameDiff sd = SameDiff.create();
        SDVariable image = sd.var(IMAGE, startImage.castTo(DataType.FLOAT).dup());
        KerasGraphBuilder.Built built = net.attach(sd, image, h, w);
        SDVariable styleLoss = null;
        for (Map.Entry<String, Double> layer : o.styleLayers().entrySet()) {
            String name = layer.getKey();
            long[] s = built.shapes().get(name);
            SDVariable gram = StyleLosses.gram(sd, "gram/" + name, built.outputs().get(name), s[0], s[1], s[2]);
            SDVariable term = StyleLosses.styleLoss(sd, "loss/style/" + name, gram,
                    sd.constant("target/gram/" + name, styleTargets.get(name))).mul(layer.getValue());
            styleLoss = styleLoss == null ? term : styleLoss.add(term);
        }
        styleLoss = sd.identity(STYLE, styleLoss);
        SDVariable contentLoss = StyleLosses.contentLoss(sd, CONTENT, built.outputs().get(o.contentLayer()),
                sd.constant("target/content", contentTarget));
        SDVariable tv = StyleLosses.totalVariation(sd, TV, image, h, w);
        SDVariable total = contentLoss.mul(o.contentWeight()).add(styleLoss.mul(o.styleWeight()))
                .add(tv.mul(o.tvWeight()));
        sd.identity(TOTAL, total);
        sd.setLossVariables(TOTAL);

        ImageAdam adam = new ImageAdam(o.learningRate(), image.getArr().shape());
        Lbfgs lbfgs = new Lbfgs(10, o.learningRate());
        INDArray x = image.getArr();
        List<Step> history = new ArrayList<>();
        for (int i = 0; i < o.iterations(); i++) {
            OutAndGrad step = sd.calculateGradientsAndOutputs(Map.of(), List.of(TOTAL, STYLE, CONTENT, TV), List.of(IMAGE));
            Map<String, INDArray> out = step.getOutputs();
            Step s = new Step(i, out.get(TOTAL).getDouble(0), out.get(STYLE).getDouble(0),
                    out.get(CONTENT).getDouble(0), out.get(TV).getDouble(0));
            history.add(s);
            INDArray grad = step.getGradients().get(IMAGE);
            if (o.optimizer() == GatysOptions.Optimizer.ADAM) {
                adam.update(x, grad);
                Transforms.max(x, 0.0, false);
                Transforms.min(x, 1.0, false);
            } else {
                boolean moved = lbfgs.step(x, s.total(), grad, candidate -> {
                    image.setArray(candidate);
                    return sd.output(Map.of(), TOTAL).get(TOTAL).getDouble(0);
                });
                image.setArray(x);
                if (!moved) {
                    break; // converged as far as the line search can tell
                }
            }
        }
        return new Result(x.dup(), history);
    }

    /** The starting image; noise is seeded, so a run repeats exactly. */
    static INDArray start(INDArray content, INDArray style, GatysOptions o) {
        return switch (o.init()) {
            case CONTENT -> content.castTo(DataType.FLOAT).dup();
            case STYLE -> {
                if (style.size(2) != content.size(2) || style.size(3) != content.size(3)) {
                    throw new InvalidSettingException("{init} style needs the style image at the content's size");
                }
                yield style.castTo(DataType.FLOAT).dup();
            }
            case NOISE -> {
                Random random = new Random(o.seed());
                float[] v = new float[(int) content.length()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = random.nextFloat();
                }
                yield Nd4j.create(v, content.shape(), 'c');
            }
        };
    }

    /** Adam on the image, holding its own moments. */
    private static final class ImageAdam {
        private final io.atelier.common.nn.Adam adam;
        private final INDArray m;
        private final INDArray v;
        private int t;

        ImageAdam(double rate, long[] shape) {
            this.adam = new io.atelier.common.nn.Adam(rate);
            this.m = Nd4j.zeros(DataType.FLOAT, shape);
            this.v = Nd4j.zeros(DataType.FLOAT, shape);
        }

        void update(INDArray x, INDArray grad) {
            adam.step(x, grad, m, v, ++t);
        }
    }
}
