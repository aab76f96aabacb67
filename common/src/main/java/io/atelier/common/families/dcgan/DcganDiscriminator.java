package io.atelier.common.families.dcgan;

import io.atelier.common.nn.Activation;
import io.atelier.common.nn.BatchNormAct;
import io.atelier.common.nn.Conv2d;
import io.atelier.common.nn.Dense;
import io.atelier.common.nn.HostArrays;
import io.atelier.common.nn.Layer;
import io.atelier.common.nn.Params;
import io.atelier.common.nn.PatchConv2d;
import io.atelier.common.nn.RunningStats;
import io.atelier.common.nn.Sequential;
import io.atelier.common.nn.Tensor;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Arrays;
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
    private final int featureSize;
    /** Conditional only: one-hot labels (and heap staging rows), each row's class embedding, scratch, ones. */
    private final Tensor oneHot;
    private final float[] oneHotRows;
    private final Tensor embedded;
    private final Tensor product;
    private final INDArray ones;
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
        boolean conditional = arch.conditional();
        this.oneHot = conditional ? new Tensor(maxRows, arch.numClasses()) : null;
        this.oneHotRows = conditional ? new float[maxRows * arch.numClasses()] : null;
        this.embedded = conditional ? new Tensor(maxRows, featureSize) : null;
        this.product = conditional ? new Tensor(maxRows, featureSize) : null;
        this.ones = conditional ? Nd4j.ones(DataType.FLOAT, featureSize, 1) : null;
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

    /** Images go here as NHWC rows [0, n) (see {@link io.atelier.common.image.PixelAdapter}). */
    public Tensor input() {
        return input;
    }

    /** Class labels of rows [from, from + count) (ignored when unconditional). */
    public void setLabels(int[] src, int from, int count) {
        if (!arch.conditional()) {
            return;
        }
        int classes = arch.numClasses();
        Arrays.fill(oneHotRows, from * classes, (from + count) * classes, 0f);
        for (int i = 0; i < count; i++) {
            int label = src[i];
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("label " + label + " outside [0, " + classes + ")");
            }
            oneHotRows[(from + i) * classes + label] = 1f;
        }
        // The whole (small) table: a dense tensor whatever rows changed.
        HostArrays.load(DcganGenerator.flat(oneHot.matrix(oneHot.maxRows())), oneHotRows);
    }

    /** Logits for rows [0, n) of the input, as an [n, 1] buffer. */
    public Tensor forward(int n, Layer.Pass pass) {
        Tensor h = features.forward(input, n, pass);
        lastFeatures = h;
        Tensor logits = head.forward(h, n, pass);
        if (arch.conditional()) {
            // logit += e[y] . h: embedding rows by one-hot product, then row sums as a product with ones.
            INDArray e = embedded.matrix(n);
            Nd4j.gemm(oneHot.matrix(n), params.value("class_embedding"), e, false, false, 1.0, 0.0);
            INDArray eh = e.mul(h.matrix(n), product.matrix(n));
            Nd4j.gemm(eh, ones, logits.matrix(n), false, false, 1.0, 1.0);
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
            INDArray d = gradLogits.matrix(n).reshape(n);
            INDArray scratch = product.matrix(n);
            if (grads.params()) {
                // dL/de[k] = sum over rows of class k of dL/dlogit * h.
                Nd4j.exec(new BroadcastMulOp(lastFeatures.matrix(n), d, scratch, 0));
                Nd4j.gemm(oneHot.matrix(n), scratch, params.grad("class_embedding"), true, false, 1.0, 0.0);
            }
            // dL/dh += dL/dlogit * e[y], with e[y] as the forward pass looked it up.
            Nd4j.exec(new BroadcastMulOp(embedded.matrix(n), d, scratch, 0));
            gh.matrix(n).addi(scratch);
        }
        return features.backward(gh, n, grads == Layer.Grads.INPUT ? Layer.Grads.INPUT : Layer.Grads.ALL,
                grads == Layer.Grads.INPUT);
    }
}
