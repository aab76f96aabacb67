package io.atelier.common.style;

import io.atelier.common.io.InvalidSettingException;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.PadMode;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

/**
 * Johnson et al.'s image transformation network as SameDiff ops, NCHW, RGB in [0, 1] in and out:
 * a 9x9 convolution, two stride-2 3x3 convolutions (channels C, 2C, 4C), R residual blocks at 4C,
 * two nearest-neighbour x2 upsamplings each followed by a 3x3 convolution, and a 9x9 convolution
 * to RGB. Convolutions pad by reflection (or, for older models, zeros: {@link Padding}). Every
 * hidden convolution is followed by instance normalisation (per image and channel, from mean and
 * variance ops: libnd4j's batch-norm gradient is wrong in this version) and ReLU.
 *
 * <p>The output is {@code sigmoid(y + logit(x))}: the network learns a change to its input, so
 * before training it is near the identity and the content is there from the first step. Input
 * sides must be multiples of 4 (two halvings, two doublings). Upsampling names its scales and layout
 * explicitly: the one-scale form of {@code upsampling2d} passes the op too few arguments in M2.1.
 */
public final class TransformerNet {
    private static final double NORM_EPS = 1e-5;
    /** Input pixels are squeezed into [EDGE, 1 - EDGE] before the logit, which is infinite at 0 and 1. */
    private static final double EDGE = 0.02;

    private TransformerNet() {
    }

    /**
     * How convolutions see past the image's edge. Reflection (Johnson et al.'s choice) mirrors the
     * border; zeros make the network paint a frame along every edge. Models written before the
     * choice was recorded use zeros.
     */
    public enum Padding {
        REFLECT, ZERO;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Padding of(String id) {
            for (Padding p : values()) {
                if (p.id().equals(id)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("padding '" + id + "': use reflect or zero");
        }
    }

    /**
     * C (the first convolution's channels), R (residual blocks), the padding of every convolution,
     * and the output convolution's gain: its result is multiplied by this constant. Adam moves
     * every weight by about the learning rate per step whatever its scale, so with the output
     * kernel itself small (gain 1, as the first models had) a few steps grow the change to the
     * logit past the sigmoid's range, and the saturated patches (flat blobs of one colour) stop
     * learning; a gain well below 1 slows that layer's effect to the others' pace.
     */
    public record Config(int channels, int residualBlocks, Padding padding, double outputGain) implements Serializable {
        /** What new models use. */
        public static final double OUTPUT_GAIN = 0.05;

        /** Reflection padding and the default output gain, as new models use. */
        public Config(int channels, int residualBlocks) {
            this(channels, residualBlocks, Padding.REFLECT, OUTPUT_GAIN);
        }

        public Config {
            if (padding == null) {
                throw new IllegalArgumentException("padding: give reflect or zero");
            }
            if (!(outputGain > 0 && outputGain <= 1)) {
                throw new IllegalArgumentException("outputGain " + outputGain + ": use a value in (0, 1]");
            }
            if (channels < 1 || channels > 256) {
                throw new InvalidSettingException("{channels} " + channels + ": use 1..256");
            }
            if (residualBlocks < 0 || residualBlocks > 32) {
                throw new InvalidSettingException("{residualBlocks} " + residualBlocks + ": use 0..32");
            }
        }
    }

    /**
     * Every parameter's name and shape, in a fixed order: convolution kernels {@code [kh, kw, in, out]},
     * instance-norm scales and shifts {@code [1, c, 1, 1]}, the output bias {@code [3]}.
     */
    public static LinkedHashMap<String, long[]> shapes(Config c) {
        LinkedHashMap<String, long[]> s = new LinkedHashMap<>();
        int c1 = c.channels();
        int c2 = 2 * c1;
        int c4 = 4 * c1;
        conv(s, "down1", 9, 3, c1, true);
        conv(s, "down2", 3, c1, c2, true);
        conv(s, "down3", 3, c2, c4, true);
        for (int r = 0; r < c.residualBlocks(); r++) {
            conv(s, "res" + r + "a", 3, c4, c4, true);
            conv(s, "res" + r + "b", 3, c4, c4, true);
        }
        conv(s, "up1", 3, c4, c2, true);
        conv(s, "up2", 3, c2, c1, true);
        conv(s, "out", 9, c1, 3, false);
        s.put("out/bias", new long[]{3});
        return s;
    }

    private static void conv(Map<String, long[]> s, String name, int k, int in, int out, boolean norm) {
        s.put(name + "/kernel", new long[]{k, k, in, out});
        if (norm) {
            s.put(name + "/gamma", new long[]{1, out, 1, 1});
            s.put(name + "/beta", new long[]{1, out, 1, 1});
        }
    }

    public static long parameterCount(Config c) {
        long n = 0;
        for (long[] shape : shapes(c).values()) {
            n += length(shape);
        }
        return n;
    }

    static int length(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return Math.toIntExact(n);
    }

    /**
     * Starting weights from the seed: He-normal kernels (the output kernel, times its gain, 100x
     * smaller, so the untrained network is close to the identity), norm scales 1, shifts and bias 0.
     */
    public static Map<String, float[]> initial(Config c, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, float[]> params = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes(c).entrySet()) {
            long[] shape = e.getValue();
            float[] v = new float[length(shape)];
            String name = e.getKey();
            if (name.endsWith("/kernel")) {
                double std = Math.sqrt(2.0 / (shape[0] * shape[1] * shape[2])) * (name.startsWith("out/") ? 0.01 / c.outputGain() : 1);
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (gaussian(random) * std);
                }
            } else if (name.endsWith("/gamma")) {
                java.util.Arrays.fill(v, 1f);
            }
            params.put(name, v);
        }
        return params;
    }

    private static double gaussian(SplittableRandom random) {
        double u1 = 1 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }

    /**
     * Adds the network to {@code sd}, reading each parameter through {@code param} (a variable to
     * train, or a constant to run), and returns the output {@code [n, 3, h, w]} in (0, 1).
     */
    public static SDVariable build(SameDiff sd, SDVariable input, Config c, BiFunction<String, long[], SDVariable> param) {
        long[] in = input.getShape();
        boolean sized = in != null && in.length == 4 && in[2] > 0 && in[3] > 0;
        Convolutions convs = new Convolutions(sd, param, shapes(c), c.padding(), sized ? in[2] : -1, sized ? in[3] : -1);
        // The last argument: how many times smaller than the input this convolution's input is.
        SDVariable x = convs.convNormRelu("down1", input, 1, 1);
        x = convs.convNormRelu("down2", x, 2, 1);
        x = convs.convNormRelu("down3", x, 2, 2);
        for (int r = 0; r < c.residualBlocks(); r++) {
            SDVariable y = convs.convNormRelu("res" + r + "a", x, 1, 4);
            y = convs.norm("res" + r + "b", convs.conv("res" + r + "b", y, 1, 4));
            x = x.add("res" + r, y);
        }
        x = convs.convNormRelu("up1", sd.cnn().upsampling2d("up1/x2", x, 2, 2, true), 1, 2);
        x = convs.convNormRelu("up2", sd.cnn().upsampling2d("up2/x2", x, 2, 2, true), 1, 1);
        SDVariable y = convs.conv("out", x, 1, 1);
        if (c.outputGain() != 1) {
            y = y.mul("out/gain", c.outputGain());
        }
        y = y.add("out/biased", sd.reshape("out/bias4", param.apply("out/bias", convs.shapes().get("out/bias")), 1, 3, 1, 1));
        SDVariable squeezed = input.mul(1 - 2 * EDGE).add(EDGE);
        SDVariable logit = sd.math().log(squeezed.div(squeezed.rsub(1.0)));
        return sd.nn().sigmoid("stylized", y.add(logit));
    }

    /**
     * The network's convolutions and instance norms, reading parameters through {@code param};
     * {@code height} and {@code width} are the network input's, or -1 where the graph serves any size.
     */
    private record Convolutions(SameDiff sd, BiFunction<String, long[], SDVariable> param, Map<String, long[]> shapes,
                                Padding padding, long height, long width) {
        SDVariable convNormRelu(String name, SDVariable x, int stride, int smaller) {
            return sd.nn().relu(name + "/relu", norm(name, conv(name, x, stride, smaller)), 0);
        }

        SDVariable conv(String name, SDVariable x, int stride, int smaller) {
            long[] k = shapes.get(name + "/kernel");
            boolean reflect = padding == Padding.REFLECT;
            Conv2DConfig config = Conv2DConfig.builder().kH(k[0]).kW(k[1]).sH(stride).sW(stride).dH(1).dW(1)
                    .paddingMode(reflect ? PaddingMode.VALID : PaddingMode.SAME).dataFormat("NCHW")
                    .weightsFormat(WeightsFormat.YXIO).build();
            SDVariable in = reflect ? reflect(name, x, (int) (k[0] / 2), smaller) : x;
            return sd.cnn().conv2d(name + "/conv", in, param.apply(name + "/kernel", k), config);
        }

        /**
         * {@code x} with {@code p} rows and columns mirrored on every side (the edge itself not
         * repeated). A graph built for one input size (training, and {@link FastStylizer}'s
         * per-shape graphs) assembles the border from one-pixel slices, so gradients flow back into
         * the mirrored pixels exactly; a graph for any size uses the pad op, whose forward pass is
         * the same but several times slower here, and whose gradient would drop the mirrored
         * contributions. Not {@code reverse}: its gradient leaks about
         * 50 MB of native memory per step in this ND4J version.
         */
        private SDVariable reflect(String name, SDVariable x, int p, int smaller) {
            if (p == 0) {
                return x;
            }
            if (height < 0) {
                SDVariable pads = sd.constant(name + "/pads", Nd4j.createFromArray(new int[][]{{0, 0}, {0, 0}, {p, p}, {p, p}}));
                return sd.nn().pad(name + "/reflect", x, pads, PadMode.REFLECT, 0);
            }
            SDVariable rows = mirror(name + "/reflect_h", x, 2, height / smaller, p);
            return mirror(name + "/reflect", rows, 3, width / smaller, p);
        }

        /** {@code x} along {@code axis} (of {@code n} pixels) with {@code p} mirrored pixels before and after. */
        private SDVariable mirror(String name, SDVariable x, int axis, long n, int p) {
            if (n <= p) {
                throw new IllegalArgumentException("the fast style network needs inputs whose sides stay above " + p
                        + " pixels at every scale; got " + n);
            }
            SDVariable[] parts = new SDVariable[2 * p + 1];
            for (int i = 0; i < p; i++) {
                parts[i] = slice(x, axis, p - i);
                parts[p + 1 + i] = slice(x, axis, n - 2 - i);
            }
            parts[p] = x;
            return sd.concat(name, axis, parts);
        }

        private static SDVariable slice(SDVariable x, int axis, long at) {
            SDIndex[] index = {SDIndex.all(), SDIndex.all(), SDIndex.all(), SDIndex.all()};
            index[axis] = SDIndex.interval(at, at + 1);
            return x.get(index);
        }

        /** Instance normalisation: per image and channel over height and width, then scale and shift. */
        SDVariable norm(String name, SDVariable x) {
            SDVariable mean = x.mean(true, 2, 3);
            SDVariable centred = x.sub(mean);
            SDVariable variance = centred.mul(centred).mean(true, 2, 3);
            SDVariable normed = centred.mul(sd.math().pow(variance.add(NORM_EPS), -0.5));
            return normed.mul(param.apply(name + "/gamma", shapes.get(name + "/gamma")))
                    .add(name + "/norm", param.apply(name + "/beta", shapes.get(name + "/beta")));
        }
    }

    /** Parameters as constants, for inference. */
    public static BiFunction<String, long[], SDVariable> constants(SameDiff sd, Map<String, float[]> params) {
        return (name, shape) -> {
            return sd.hasVariable("param/" + name) ? sd.getVariable("param/" + name) : sd.constant("param/" + name, Nd4j.create(params.get(name), shape, 'c'));
        };
    }
}
