package io.atelier.common.families.cyclegan;

import io.atelier.common.nn.Activation;
import io.atelier.common.nn.Conv2d;
import io.atelier.common.nn.GroupNormAct;
import io.atelier.common.nn.Layer;
import io.atelier.common.nn.Params;
import io.atelier.common.nn.PatchConv2d;
import io.atelier.common.nn.Sequential;
import io.atelier.common.nn.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The runtime PatchGAN discriminator of a {@link CycleGanArchitecture}: one logit per
 * overlapping image patch of {@link CycleGanArchitecture#receptiveField()} pixels, as a
 * [n, p, p, 1] map with p = {@link CycleGanArchitecture#patchSide()}. Like the generator it runs
 * over parameters passed in, so that several instances (real and fake batches, for example) can
 * share one {@link Params}; each backward pass overwrites the gradients.
 */
public final class PatchDiscriminator {
    private final CycleGanArchitecture arch;
    private final Params params;
    private final Tensor input;
    private final Sequential net;

    public PatchDiscriminator(CycleGanArchitecture arch, Params params, int maxRows) {
        if (params.layout().size() != arch.discriminatorParams().size()) {
            throw new IllegalArgumentException("discriminator parameters hold " + params.layout().size() + " floats, the architecture "
                    + arch + " needs " + arch.discriminatorParams().size() + ": build them from arch.discriminatorParams()");
        }
        this.arch = arch;
        this.params = params;
        int s = arch.imageSize();
        int k = CycleGanArchitecture.PATCH_KERNEL;
        this.input = new Tensor(maxRows, s, s, arch.channels());
        List<Layer> layers = new ArrayList<>();
        // The image side has 1-3 channels: patches and one matrix product beat the kernels there.
        PatchConv2d first = new PatchConv2d(params, "conv0", false, arch.channels(), arch.discriminatorChannels(0), k, 2, 1,
                s, s, maxRows, Activation.LEAKY_RELU);
        layers.add(first);
        long[] shape = first.outShape();
        for (int i = 1; i <= arch.discriminatorLayers(); i++) {
            int stride = i < arch.discriminatorLayers() ? 2 : 1;
            Conv2d conv = new Conv2d(params, "conv" + i, false, arch.discriminatorChannels(i - 1), arch.discriminatorChannels(i),
                    k, stride, 1, (int) shape[0], (int) shape[1], maxRows);
            layers.add(conv);
            shape = conv.outShape();
            layers.add(new GroupNormAct(params, "conv" + i + "_norm", arch.discriminatorChannels(i), Activation.LEAKY_RELU,
                    maxRows, shape));
        }
        Conv2d head = new Conv2d(params, "head", false, arch.discriminatorChannels(arch.discriminatorLayers()), 1, k, 1, 1,
                (int) shape[0], (int) shape[1], maxRows);
        layers.add(head);
        if (head.outShape()[0] != arch.patchSide()) {
            throw new IllegalStateException("discriminator produces " + head.outShape()[0] + "x" + head.outShape()[1]
                    + " logits, expected " + arch.patchSide());
        }
        this.net = new Sequential(layers);
    }

    public CycleGanArchitecture architecture() {
        return arch;
    }

    public Params params() {
        return params;
    }

    /** Images go here as NHWC rows [0, n): [maxRows, H, W, C]. */
    public Tensor input() {
        return input;
    }

    /** Logits for rows [0, n) of the input, as [n, p, p, 1] in a buffer this network owns. */
    public Tensor forward(int n) {
        return net.forward(input, n, Layer.Pass.TRAIN);
    }

    /**
     * Backpropagates dL/dlogits for rows [0, n) of the last forward pass. {@link Layer.Grads#ALL}
     * fills the parameter gradients and returns dL/dimage; {@link Layer.Grads#INPUT} returns
     * dL/dimage and leaves the parameter gradients alone (the generator's pass);
     * {@link Layer.Grads#PARAMS} fills them and returns null.
     */
    public Tensor backward(Tensor gradOut, int n, Layer.Grads grads) {
        // Every layer but the first must pass its input gradient on; the first computes one only when asked.
        Layer.Grads inner = grads.params() ? Layer.Grads.ALL : Layer.Grads.INPUT;
        Tensor g = net.backward(gradOut, n, inner, grads.input());
        return grads.input() ? g : null;
    }
}
