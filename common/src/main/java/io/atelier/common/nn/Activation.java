package io.atelier.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Pointwise nonlinearities, applied in place as ND4J ops. Each derivative is written in terms of
 * the output, so the backward pass needs only the activated tensor. The rectifiers use
 * branch-free ops: activation signs are random, and the backend's kernels that branch per
 * element ran five to eight times slower. {@link #apply} and {@link #derivative} are the scalar
 * definitions the ops are tested against.
 */
public enum Activation {
    NONE,
    RELU,
    /** Slope 0.2 for negative inputs, as in DCGAN's discriminator. */
    LEAKY_RELU,
    TANH,
    SIGMOID;

    public static final float LEAKY_SLOPE = 0.2f;

    public float apply(float x) {
        return switch (this) {
            case NONE -> x;
            case RELU -> Math.max(x, 0f);
            case LEAKY_RELU -> Math.max(x, LEAKY_SLOPE * x);
            case TANH -> tanh(x);
            case SIGMOID -> sigmoid(x);
        };
    }

    /** d act / d x, from the output y = act(x); at 0 the left derivative. */
    public float derivative(float y) {
        return switch (this) {
            case NONE -> 1f;
            case RELU -> positive(y);
            case LEAKY_RELU -> LEAKY_SLOPE + (1f - LEAKY_SLOPE) * positive(y);
            case TANH -> 1f - y * y;
            case SIGMOID -> y * (1f - y);
        };
    }

    /** 1 if y > 0 (and not NaN), else 0, without a branch; -0.0 counts as not positive. */
    static int positive(float y) {
        int b = Float.floatToRawIntBits(y);
        return ((-b) & ~b) >>> 31;
    }

    /** Whether {@link #forward(INDArray, INDArray)} and {@link #backward(INDArray, INDArray, INDArray)} need a scratch tensor. */
    public boolean needsScratch() {
        return this == RELU || this == LEAKY_RELU;
    }

    /** x = act(x) in place; allocates the scratch a rectifier needs (layers keep their own). */
    public void forward(INDArray x) {
        forward(x, needsScratch() ? x.ulike() : null);
    }

    /**
     * x = act(x) in place, as ND4J ops. The leaky rectifier runs as max(x, s x) = relu(x) -
     * relu(-s x), exact in float: the backend's leaky kernel branches per element and took about
     * eight times as long as these three ops on activations of mixed sign (0.25 against 2 ms for
     * 400k values on the 2-vCPU development machine).
     *
     * @param scratch a dense tensor of x's shape, overwritten; null unless {@link #needsScratch()}
     */
    public void forward(INDArray x, INDArray scratch) {
        switch (this) {
            case NONE -> {
            }
            case RELU -> Transforms.relu(x, false);
            case LEAKY_RELU -> {
                x.mul(-LEAKY_SLOPE, scratch);
                Transforms.relu(scratch, false);
                Transforms.relu(x, false).subi(scratch);
            }
            case TANH -> Transforms.tanh(x, false);
            case SIGMOID -> Transforms.sigmoid(x, false);
        }
    }

    /** g *= act'(y) in place; allocates the scratch a rectifier needs (layers keep their own). */
    public void backward(INDArray y, INDArray g) {
        backward(y, g, needsScratch() ? y.ulike() : null);
    }

    /**
     * g *= act'(y) in place, from the output y = act(x), as ND4J ops. For the rectifiers y > 0
     * exactly where x > 0 (the slope is positive), so the factor is step(y) (times 1 - s, plus s
     * for the leaky one): exactly 1 or s, and about five times faster than the backend's
     * rectifier-gradient kernels, which branch per element. At 0 the left derivative.
     *
     * @param scratch a dense tensor of y's shape, overwritten; null unless {@link #needsScratch()}
     */
    public void backward(INDArray y, INDArray g, INDArray scratch) {
        switch (this) {
            case NONE -> {
            }
            case RELU -> g.muli(stepOf(y, scratch));
            case LEAKY_RELU -> g.muli(stepOf(y, scratch).muli(1f - LEAKY_SLOPE).addi(LEAKY_SLOPE));
            case TANH -> g.muli(y.mul(y).rsubi(1f));
            case SIGMOID -> g.muli(y.rsub(1f).muli(y));
        }
    }

    private static INDArray stepOf(INDArray y, INDArray out) {
        Nd4j.exec(new Step(y, out));
        return out;
    }

    /** tanh through one exp: exact to float precision and much cheaper than StrictMath.tanh. */
    public static float tanh(float x) {
        float t = (float) Math.exp(-2.0 * Math.abs(x));
        float r = (1f - t) / (1f + t);
        return Math.copySign(r, x);
    }

    /** One exp of -|x| (never overflows); the same values as 1 / (1 + e^-x) and e^x / (1 + e^x). */
    public static float sigmoid(float x) {
        double e = Math.exp(-Math.abs(x));
        return (float) ((x >= 0 ? 1.0 : e) / (1.0 + e));
    }
}
