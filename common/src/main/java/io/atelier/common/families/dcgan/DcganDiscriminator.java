package io.atelier.common.families.dcgan;

import io.atelier.common.nn.Activation;
import io.atelier.common.nn.BatchNormAct;
import io.atelier.common.nn.Conv2d;
import io.atelier.common.nn.Dense;
import io.atelier.common.nn.Layer;
import io.atelier.common.nn.Params;
import io.atelier.common.nn.PatchConv2d;
import io.atelier.common.nn.RunningStats;
import io.atelier.common.nn.Sequential;
import io.atelier.common.nn.Tensor;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The runtime discriminator of a {@link DcganArchitecture}, producing one logit per image.
 * When conditional it is a projection discriminator: logit = w . h + b + e[y] . h, with h the
 * flattened last feature map and e a class embedding. Callers write images (and labels) into
 * {@link #input()} rows, run {@link #forward}, then {@link #backward} with dL/dlogit.
 */
public final class DcganDiscriminator {
    private final DcganArchitecture arch;
    private final Params params;
    private final RunningStats stats;
    private final Sequential features;
    private final Dense head;
    private final Tensor input;
    private final int[] labels;
    private final int featureSize;
    private Tensor lastFeatures;

    /** @param maxGroups largest number of separately normalised groups in one pass (2 for real + fake) */
    public DcganDiscriminator(DcganArchitecture arch, int maxRows, int maxGroups) {
        this.arch = arch;
        this.params = new Params(arch.discriminatorParams());
        this.stats = new RunningStats(arch.discriminatorStats());
        int side = arch.imageSize();
        List<Layer> layers = new ArrayList<>();
        // The image side has 1-3 channels: patches and one matrix product beat the kernels there.
        PatchConv2d first = new PatchConv2d(params, "conv0", false, arch.channels(), arch.discriminatorChannels(0),
                DcganArchitecture.KERNEL, DcganArchitecture.STRIDE, DcganArchitecture.PAD, side, side, maxRows,
                Activation.LEAKY_RELU);
        layers.add(first);
        side /= 2;
        for (int i = 1; i < arch.stages(); i++) {
            Conv2d c = conv("conv" + i, arch.discriminatorChannels(i - 1), arch.discriminatorChannels(i), side, maxRows);
            layers.add(c);
            side /= 2;
            layers.add(new BatchNormAct(params, stats, "conv" + i + "_bn", Activation.LEAKY_RELU, maxRows, maxGroups, c.outShape()));
        }
        this.features = new Sequential(layers);
        this.featureSize = arch.discriminatorFeatures();
        this.head = new Dense(params, "fc", featureSize, 1, maxRows);
        this.input = new Tensor(maxRows, arch.imageSize(), arch.imageSize(), arch.channels());
        this.labels = new int[maxRows];
    }

    private Conv2d conv(String name, int in, int out, int side, int maxRows) {
        return new Conv2d(params, name, false, in, out, DcganArchitecture.KERNEL, DcganArchitecture.STRIDE,
                DcganArchitecture.PAD, side, side, maxRows);
    }

    public Params params() {
        return params;
    }

    public RunningStats stats() {
        return stats;
    }

    /** Images go here as NHWC rows [0, n) (see {@link Layouts}). */
    public Tensor input() {
        return input;
    }

    /** Class labels of rows [from, from + count) (ignored when unconditional). */
    public void setLabels(int[] src, int from, int count) {
        if (!arch.conditional()) {
            return;
        }
        for (int i = 0; i < count; i++) {
            int label = src[i];
            if (label < 0 || label >= arch.numClasses()) {
                throw new IllegalArgumentException("label " + label + " outside [0, " + arch.numClasses() + ")");
            }
            labels[from + i] = label;
        }
    }

    /** Logits for rows [0, n) of the input, as an [n, 1] buffer. */
    public Tensor forward(int n, Layer.Pass pass) {
        Tensor h = features.forward(input, n, pass);
        lastFeatures = h;
        Tensor logits = head.forward(h, n, pass);
        if (arch.conditional()) {
            FloatBuffer hf = h.floats();
            FloatBuffer lf = logits.floats();
            FloatBuffer p = params.hostValues();
            int emb = params.offset("class_embedding");
            for (int r = 0; r < n; r++) {
                int e = emb + labels[r] * featureSize;
                int base = r * featureSize;
                double dot = 0;
                for (int j = 0; j < featureSize; j++) {
                    dot += p.get(e + j) * hf.get(base + j);
                }
                lf.put(r, (float) (lf.get(r) + dot));
            }
        }
        return logits;
    }

    /**
     * Backpropagates dL/dlogit (an [n, 1] buffer). With {@link Layer.Grads#INPUT} the parameter
     * gradients are left alone and the returned buffer holds dL/dimage; otherwise parameter
     * gradients are filled and the image gradient is not computed.
     */
    public Tensor backward(Tensor gradLogits, int n, Layer.Grads grads) {
        Tensor gh = head.backward(gradLogits, n, grads == Layer.Grads.INPUT ? Layer.Grads.INPUT : Layer.Grads.ALL);
        if (arch.conditional()) {
            FloatBuffer hf = lastFeatures.floats();
            FloatBuffer ghf = gh.floats();
            FloatBuffer gl = gradLogits.floats();
            FloatBuffer p = params.hostValues();
            FloatBuffer g = params.hostGrads();
            int emb = params.offset("class_embedding");
            if (grads.params()) {
                for (int i = 0; i < arch.numClasses() * featureSize; i++) {
                    g.put(emb + i, 0f);
                }
            }
            for (int r = 0; r < n; r++) {
                float d = gl.get(r);
                int e = emb + labels[r] * featureSize;
                int base = r * featureSize;
                for (int j = 0; j < featureSize; j++) {
                    ghf.put(base + j, ghf.get(base + j) + d * p.get(e + j));
                }
                if (grads.params()) {
                    for (int j = 0; j < featureSize; j++) {
                        g.put(e + j, g.get(e + j) + d * hf.get(base + j));
                    }
                }
            }
        }
        return features.backward(gh, n, grads == Layer.Grads.INPUT ? Layer.Grads.INPUT : Layer.Grads.ALL,
                grads == Layer.Grads.INPUT);
    }
}
