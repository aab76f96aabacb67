package io.atelier.common.nn;

import java.nio.FloatBuffer;

/**
 * Pointwise nonlinearities, applied in place. Each derivative is written in terms of the
 * output, so the backward pass needs only the activated buffer.
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
            case RELU -> x > 0 ? x : 0f;
            case LEAKY_RELU -> x > 0 ? x : LEAKY_SLOPE * x;
            case TANH -> tanh(x);
            case SIGMOID -> sigmoid(x);
        };
    }

    /** d act / d x, from the output y = act(x). */
    public float derivative(float y) {
        return switch (this) {
            case NONE -> 1f;
            case RELU -> y > 0 ? 1f : 0f;
            case LEAKY_RELU -> y > 0 ? 1f : LEAKY_SLOPE;
            case TANH -> 1f - y * y;
            case SIGMOID -> y * (1f - y);
        };
    }

    public void forward(FloatBuffer x, int from, int to) {
        switch (this) {
            case NONE -> {
            }
            case RELU -> {
                for (int i = from; i < to; i++) {
                    float v = x.get(i);
                    x.put(i, v > 0 ? v : 0f);
                }
            }
            case LEAKY_RELU -> {
                for (int i = from; i < to; i++) {
                    float v = x.get(i);
                    x.put(i, v > 0 ? v : LEAKY_SLOPE * v);
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
                    if (!(y.get(i) > 0)) {
                        g.put(i, 0f);
                    }
                }
            }
            case LEAKY_RELU -> {
                for (int i = from; i < to; i++) {
                    if (!(y.get(i) > 0)) {
                        g.put(i, g.get(i) * LEAKY_SLOPE);
                    }
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

    /** tanh through one exp: exact to float precision and much cheaper than StrictMath.tanh. */
    public static float tanh(float x) {
        float t = (float) Math.exp(-2.0 * Math.abs(x));
        float r = (1f - t) / (1f + t);
        return x < 0 ? -r : r;
    }

    public static float sigmoid(float x) {
        return x >= 0 ? (float) (1.0 / (1.0 + Math.exp(-x))) : (float) (Math.exp(x) / (1.0 + Math.exp(x)));
    }
}
