package io.atelier.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.LeakyReLUBp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.nio.FloatBuffer;

/**
 * Pointwise nonlinearities, applied in place. Each derivative is written in terms of the
 * output, so the backward pass needs only the activated buffer. Everything is branch-free:
 * activation signs are random, and a mispredicted branch per element made these loops about
 * four times slower than the arithmetic.
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

    public void forward(FloatBuffer x, int from, int to) {
        switch (this) {
            case NONE -> {
            }
            case RELU -> {
                for (int i = from; i < to; i++) {
                    x.put(i, Math.max(x.get(i), 0f));
                }
            }
            case LEAKY_RELU -> {
                for (int i = from; i < to; i++) {
                    float v = x.get(i);
                    x.put(i, Math.max(v, LEAKY_SLOPE * v));
                }
            }
            default -> {
                for (int i = from; i < to; i++) {
                    x.put(i, apply(x.get(i)));
                }
            }
        }
    }

    /** g[i] *= act'(y[i]) for i in [from, to). */
    public void backward(FloatBuffer y, FloatBuffer g, int from, int to) {
        switch (this) {
            case NONE -> {
            }
            case RELU -> {
                for (int i = from; i < to; i++) {
                    g.put(i, g.get(i) * positive(y.get(i)));
                }
            }
            case LEAKY_RELU -> {
                for (int i = from; i < to; i++) {
                    g.put(i, g.get(i) * (LEAKY_SLOPE + (1f - LEAKY_SLOPE) * positive(y.get(i))));
                }
            }
            case TANH -> {
                for (int i = from; i < to; i++) {
                    float v = y.get(i);
                    g.put(i, g.get(i) * (1f - v * v));
                }
            }
            default -> {
                for (int i = from; i < to; i++) {
                    g.put(i, g.get(i) * derivative(y.get(i)));
                }
            }
        }
    }

    /** x = act(x) in place, as one ND4J op. */
    public void forward(INDArray x) {
        switch (this) {
            case NONE -> {
            }
            case RELU -> Transforms.relu(x, false);
            case LEAKY_RELU -> Transforms.leakyRelu(x, LEAKY_SLOPE, false);
            case TANH -> Transforms.tanh(x, false);
            case SIGMOID -> Transforms.sigmoid(x, false);
        }
    }

    /**
     * g *= act'(y) in place, from the output y = act(x), as ND4J ops. For the rectifiers y > 0
     * exactly where x > 0 (the slope is positive), so the backend's rectifier gradient, which
     * reads its first input only for its sign, takes y in place of x. At exactly 0 the rectifier
     * passes no gradient and the leaky one passes all of it (the backend's conventions); either
     * is a valid subgradient.
     */
    public void backward(INDArray y, INDArray g) {
        switch (this) {
            case NONE -> {
            }
            case RELU -> Nd4j.exec(DynamicCustomOp.builder("relu_bp").addInputs(y, g).addOutputs(g)
                    .addFloatingPointArguments(0.0).build());
            case LEAKY_RELU -> Nd4j.exec(new LeakyReLUBp(y, g, g, LEAKY_SLOPE));
            case TANH -> g.muli(y.mul(y).rsubi(1f));
            case SIGMOID -> g.muli(y.rsub(1f).muli(y));
        }
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

    /**
     * Sigmoid as a rational function of x (Eigen's float logistic), within 2.2e-7 of the exact
     * value everywhere. Only arithmetic, min and max, so the JIT vectorises loops over arrays
     * that call it, which it cannot do with Math.exp: about 15 times cheaper per value there.
     */
    public static float sigmoidRational(float x) {
        float v = Math.max(-18f, Math.min(x, 15.6437711715698242f));
        float x2 = v * v;
        float p = x2 * 4.37031012579801e-11f + 1.15627324459942e-07f;
        p = x2 * p + 6.08574864600143e-05f;
        p = x2 * p + 8.51377133304701e-03f;
        p = x2 * p + 2.48287947061529e-01f;
        p = v * p;
        float q = x2 * 6.10247389755681e-13f + 5.76102136993427e-09f;
        q = x2 * q + 6.29106785017040e-06f;
        q = x2 * q + 1.70198817374094e-03f;
        q = x2 * q + 1.16817656904453e-01f;
        q = x2 * q + 9.93151921023180e-01f;
        return Math.max(Math.min(p / q + 0.5f, 1f), 0f);
    }
}
