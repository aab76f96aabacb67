package io.atelier.common.style;

import io.atelier.common.features.KerasFeatureNetwork;
import io.atelier.common.features.KerasGraphBuilder;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.LinkedHashMap;
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
        List<String> layers = new ArrayList<>(o.styleLayers().keySet());
        layers.add(o.contentLayer());
        net.requireLayers(layers);
        Map<String, INDArray> styleTargets = targets(style, o).grams();
        INDArray contentTarget = targets(content, o).content();

        long h = content.size(2);
        long w = content.size(3);
        SameDiff sd = SameDiff.create();
        SDVariable image = sd.var(IMAGE, start(content, style, o));
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

        Adam adam = new Adam(o.learningRate(), image.getArr().shape());
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

    private record Targets(Map<String, INDArray> grams, INDArray content) {
    }

    /** Feature targets of a fixed image, from the same graph pieces the loss uses. */
    private Targets targets(INDArray image, GatysOptions o) {
        SameDiff sd = SameDiff.create();
        KerasGraphBuilder.Built built = net.attach(sd, sd.constant("fixed", image.castTo(DataType.FLOAT)),
                image.size(2), image.size(3));
        List<String> names = new ArrayList<>();
        for (String layer : o.styleLayers().keySet()) {
            long[] s = built.shapes().get(layer);
            names.add(StyleLosses.gram(sd, "gram/" + layer, built.outputs().get(layer), s[0], s[1], s[2]).name());
        }
        names.add(o.contentLayer());
        Map<String, INDArray> out = sd.output(Map.of(), names);
        Map<String, INDArray> grams = new LinkedHashMap<>();
        for (String layer : o.styleLayers().keySet()) {
            grams.put(layer, out.get("gram/" + layer));
        }
        return new Targets(grams, out.get(o.contentLayer()));
    }

    /** The starting image; noise is seeded, so a run repeats exactly. */
    private static INDArray start(INDArray content, INDArray style, GatysOptions o) {
        return switch (o.init()) {
            case CONTENT -> content.castTo(DataType.FLOAT).dup();
            case STYLE -> {
                if (style.size(2) != content.size(2) || style.size(3) != content.size(3)) {
                    throw new IllegalArgumentException("--init style needs the style image at the content's size");
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

    /** Adam (Kingma and Ba) on one array, in place. */
    private static final class Adam {
        private static final double BETA1 = 0.9;
        private static final double BETA2 = 0.999;
        private static final double EPS = 1e-8;
        private final double rate;
        private final INDArray m;
        private final INDArray v;
        private int t;

        Adam(double rate, long[] shape) {
            this.rate = rate;
            this.m = Nd4j.zeros(DataType.FLOAT, shape);
            this.v = Nd4j.zeros(DataType.FLOAT, shape);
        }

        void update(INDArray x, INDArray grad) {
            t++;
            m.muli(BETA1).addi(grad.mul(1 - BETA1));
            v.muli(BETA2).addi(grad.mul(grad).muli(1 - BETA2));
            INDArray mHat = m.div(1 - Math.pow(BETA1, t));
            INDArray vHat = v.div(1 - Math.pow(BETA2, t));
            x.subi(mHat.muli(rate).divi(Transforms.sqrt(vHat, true).addi(EPS)));
        }
    }
}
