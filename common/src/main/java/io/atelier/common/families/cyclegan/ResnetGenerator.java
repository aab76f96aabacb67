package io.atelier.common.families.cyclegan;

import io.atelier.common.nn.Activation;
import io.atelier.common.nn.Conv2d;
import io.atelier.common.nn.GroupNormAct;
import io.atelier.common.nn.Layer;
import io.atelier.common.nn.Params;
import io.atelier.common.nn.PatchConv2d;
import io.atelier.common.nn.ReflectionPad2d;
import io.atelier.common.nn.Sequential;
import io.atelier.common.nn.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The runtime ResnetGenerator of a {@link CycleGanArchitecture} (image to image, same size), with
 * buffers for up to {@code maxRows} images, built once. The parameters are passed in rather than
 * owned: a CycleGAN step runs each generator twice (translation and cycle reconstruction), so the
 * trainer builds two instances over one {@link Params}. Each instance keeps its own activations;
 * a backward pass overwrites the shared gradients, so the caller adds up the two passes.
 *
 * <p>Callers write NHWC images in [-1, 1] into {@link #input()} rows, run {@link #forward}, and
 * {@link #backward} with dL/doutput. Instance norm has no running statistics, so training and
 * translation run the same pass.
 */
public final class ResnetGenerator {
    private final CycleGanArchitecture arch;
    private final Params params;
    private final Tensor input;
    private final ReflectionPad2d stemPad;
    /** Everything after the stem's padding, up to the output convolution (tanh applied here). */
    private final Sequential body;
    private final Tensor gradPre;
    private Tensor out;

    public ResnetGenerator(CycleGanArchitecture arch, Params params, int maxRows) {
        if (params.layout().size() != arch.generatorParams().size()) {
            throw new IllegalArgumentException("generator parameters hold " + params.layout().size() + " floats, the architecture "
                    + arch + " needs " + arch.generatorParams().size() + ": build them from arch.generatorParams()");
        }
        this.arch = arch;
        this.params = params;
        int s = arch.imageSize();
        int c = arch.channels();
        int pad = CycleGanArchitecture.OUTER_PAD;
        int k = CycleGanArchitecture.OUTER_KERNEL;
        this.input = new Tensor(maxRows, s, s, c);
        this.stemPad = new ReflectionPad2d(pad, maxRows, s, s, c);
        List<Layer> layers = new ArrayList<>();
        // The image side has 1-3 channels: patches (49 C wide) and one matrix product beat the kernels there.
        PatchConv2d stem = new PatchConv2d(params, "stem", false, c, arch.generatorChannels(0), k, 1, 0,
                s + 2 * pad, s + 2 * pad, maxRows, Activation.NONE);
        layers.add(stem);
        layers.add(norm("stem_norm", stem.outShape(), maxRows));
        int side = s;
        for (int i = 1; i <= 2; i++) {
            Conv2d down = new Conv2d(params, "down" + i, false, arch.generatorChannels(i - 1), arch.generatorChannels(i),
                    CycleGanArchitecture.DOWN_KERNEL, 2, 1, side, side, maxRows);
            layers.add(down);
            side /= 2;
            layers.add(norm("down" + i + "_norm", down.outShape(), maxRows));
        }
        for (int b = 0; b < arch.residualBlocks(); b++) {
            layers.add(new ResidualBlock(params, "res" + b, arch.generatorChannels(2), side, maxRows));
        }
        for (int i = 1; i <= 2; i++) {
            Conv2d up = new Conv2d(params, "up" + i, true, arch.generatorChannels(3 - i), arch.generatorChannels(2 - i),
                    CycleGanArchitecture.UP_KERNEL, 2, 1, side, side, maxRows);
            layers.add(up);
            side *= 2;
            layers.add(norm("up" + i + "_norm", up.outShape(), maxRows));
        }
        layers.add(new ReflectionPad2d(pad, maxRows, s, s, arch.generatorChannels(0)));
        // The output side has ngf channels in: the patch matrix would be 49 ngf wide, so the kernels run it.
        Conv2d last = new Conv2d(params, "out", false, arch.generatorChannels(0), c, k, 1, 0, s + 2 * pad, s + 2 * pad, maxRows);
        layers.add(last);
        long[] shape = last.outShape();
        if (shape[0] != s || shape[1] != s) {
            throw new IllegalStateException("generator produces " + shape[0] + "x" + shape[1] + ", expected " + s);
        }
        this.body = new Sequential(layers);
        this.gradPre = new Tensor(maxRows, shape);
    }

    private GroupNormAct norm(String name, long[] shape, int maxRows) {
        return new GroupNormAct(params, name, (int) shape[2], Activation.RELU, maxRows, shape);
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

    /** Translated images for rows [0, n) of the input, NHWC in [-1, 1], in a buffer this network owns. */
    public Tensor forward(int n) {
        out = body.forward(stemPad.forward(input, n, Layer.Pass.TRAIN), n, Layer.Pass.TRAIN);
        // In place on the last convolution's output, which its backward pass does not read.
        Activation.TANH.forward(out.matrix(n));
        return out;
    }

    /**
     * Backpropagates dL/doutput for rows [0, n) of the last forward pass: overwrites the
     * parameter gradients in {@link #params()} and returns dL/dinput when {@code inputGrad}
     * (a buffer this network owns), else null. {@code gradOut} is left as it was.
     */
    public Tensor backward(Tensor gradOut, int n, boolean inputGrad) {
        if (out == null) {
            throw new IllegalStateException("backward before forward");
        }
        Activation.TANH.backward(out.matrix(n), gradPre.matrix(n).assign(gradOut.matrix(n)));
        Tensor g = body.backward(gradPre, n, Layer.Grads.ALL, inputGrad);
        return inputGrad ? stemPad.backward(g, n, Layer.Grads.INPUT) : null;
    }
}
