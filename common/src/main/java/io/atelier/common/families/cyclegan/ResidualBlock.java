package io.atelier.common.families.cyclegan;

import io.atelier.common.nn.Activation;
import io.atelier.common.nn.Conv2d;
import io.atelier.common.nn.GroupNormAct;
import io.atelier.common.nn.Layer;
import io.atelier.common.nn.ParamLayout;
import io.atelier.common.nn.Params;
import io.atelier.common.nn.ReflectionPad2d;
import io.atelier.common.nn.Tensor;

import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The ResnetGenerator's block on NHWC rows [H, W, C]: y = x + IN(conv(pad(ReLU(IN(conv(pad(x))))))),
 * with reflection padding 1 before each 3x3 convolution and no activation after the sum.
 */
final class ResidualBlock implements Layer {
    private static final int KERNEL = 3;

    private final ReflectionPad2d pad1;
    private final Conv2d conv1;
    private final GroupNormAct norm1;
    private final ReflectionPad2d pad2;
    private final Conv2d conv2;
    private final GroupNormAct norm2;
    private final long[] shape;
    private final Tensor y;
    private final Tensor gradIn;

    static void register(ParamLayout.Builder p, String name, int channels) {
        CycleGanArchitecture.conv(p, name + ".conv1", false, channels, channels, KERNEL);
        GroupNormAct.register(p, name + ".norm1", channels);
        CycleGanArchitecture.conv(p, name + ".conv2", false, channels, channels, KERNEL);
        GroupNormAct.register(p, name + ".norm2", channels);
    }

    ResidualBlock(Params params, String name, int channels, int side, int maxRows) {
        this.pad1 = new ReflectionPad2d(1, maxRows, side, side, channels);
        this.conv1 = new Conv2d(params, name + ".conv1", false, channels, channels, KERNEL, 1, 0, side + 2, side + 2, maxRows);
        this.norm1 = new GroupNormAct(params, name + ".norm1", channels, Activation.RELU, maxRows, conv1.outShape());
        this.pad2 = new ReflectionPad2d(1, maxRows, side, side, channels);
        this.conv2 = new Conv2d(params, name + ".conv2", false, channels, channels, KERNEL, 1, 0, side + 2, side + 2, maxRows);
        this.norm2 = new GroupNormAct(params, name + ".norm2", channels, Activation.NONE, maxRows, conv2.outShape());
        this.shape = new long[]{side, side, channels};
        this.y = new Tensor(maxRows, shape);
        this.gradIn = new Tensor(maxRows, shape);
    }

    @Override
    public long[] outShape() {
        return shape.clone();
    }

    @Override
    public Tensor forward(Tensor in, int n, Pass pass) {
        Tensor h = norm1.forward(conv1.forward(pad1.forward(in, n, pass), n, pass), n, pass);
        Tensor r = norm2.forward(conv2.forward(pad2.forward(h, n, pass), n, pass), n, pass);
        Nd4j.exec(new AddOp(in.matrix(n), r.matrix(n), y.matrix(n)));
        return y;
    }

    /** With {@link Grads#PARAMS} the block's own input gradient (the pad and the sum) is skipped and null returned. */
    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        // Inside the block every input gradient is needed; the parameter gradients only when asked.
        Grads inner = grads.params() ? Grads.ALL : Grads.INPUT;
        Tensor g = norm2.backward(gradOut, n, inner);
        g = pad2.backward(conv2.backward(g, n, inner), n, Grads.INPUT);
        g = conv1.backward(norm1.backward(g, n, inner), n, grads.input() ? inner : Grads.PARAMS);
        if (!grads.input()) {
            return null;
        }
        g = pad1.backward(g, n, Grads.INPUT);
        Nd4j.exec(new AddOp(g.matrix(n), gradOut.matrix(n), gradIn.matrix(n)));
        return gradIn;
    }
}
