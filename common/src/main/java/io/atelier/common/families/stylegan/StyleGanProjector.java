package io.atelier.common.families.stylegan;

import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.nn.Adam;
import io.atelier.common.nn.HostArrays;
import io.atelier.common.nn.Params;
import io.atelier.common.nn.Rng;
import io.atelier.common.nn.Tensor;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.Seeds;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Locale;

/**
 * GAN inversion of the EMA generator of a state, after NVlabs' stylegan2-ada projector: for each
 * target image, Adam on its latent (one w, or one w per style layer for W+) and on its per-pixel
 * noise maps, from the tracked mean w and normalised Gaussian noise. Loss per image: pixel MSE,
 * plus an optional feature distance ({@link FeatureLoss}), plus the noise maps' autocorrelation
 * at full resolution (NVlabs also penalises coarser copies of each map; left out here). As
 * there: the step size ramps up over the first 5% of steps and down (cosine) over the last 25%;
 * Gaussian noise of scale 0.05 std(w), fading to 0 by 75% of the steps, is added to w; noise maps
 * are renormalised after each step.
 *
 * <p>B images are B independent problems in one forward and backward pass (every layer works per
 * row and each image's loss depends on its own row only). Random draws derive from (seed, the
 * image's key, step): a re-run gives the same latents, and an image's result depends on its batch
 * only through the rounding of batched kernels (which the Adam steps amplify to about 1e-3 in the
 * latent). Built once per executor; calls take turns.
 */
public final class StyleGanProjector {
    /** Purposes of the projector's random draws, beside the image key. */
    private static final long PURPOSE_NOISE_INIT = 21;
    private static final long PURPOSE_W_NOISE = 22;
    private static final long PURPOSE_W_STD = 23;
    /** Samples of w for its spread (NVlabs uses 10,000; the spread of a small sample is close enough). */
    private static final int W_STD_SAMPLES = 512;
    private static final double INITIAL_LR = 0.1;
    private static final double INITIAL_W_NOISE = 0.05;
    private static final double LR_RAMPDOWN = 0.25;
    private static final double LR_RAMPUP = 0.05;
    private static final double NOISE_RAMP = 0.75;

    /** One w broadcast to every style layer, or one per layer. */
    public enum Space {
        W("w"), W_PLUS("w+");

        private final String id;

        Space(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public static Space of(String id) {
            for (Space s : values()) {
                if (s.id.equals(id.trim().toLowerCase(Locale.ROOT))) {
                    return s;
                }
            }
            throw new InvalidSettingException("{space} " + id + ": use w or w+");
        }
    }

    /**
     * @param steps         Adam steps per image
     * @param space         w or w+
     * @param noiseWeight   weight of the noise maps' autocorrelation penalty (NVlabs: 1e5)
     * @param featureWeight weight of the feature distance (0: pixel loss only)
     * @param seed          the random draws' seed
     */
    public record Options(int steps, Space space, double noiseWeight, double featureWeight, long seed)
            implements java.io.Serializable {
        public Options {
            if (steps < 1) {
                throw new InvalidSettingException("{steps} " + steps + ": use at least 1");
            }
            if (!(noiseWeight >= 0) || !(featureWeight >= 0)) {
                throw new IllegalArgumentException("loss weights must be >= 0, got noise " + noiseWeight + " and feature "
                        + featureWeight);
            }
        }
    }

    /**
     * A differentiable distance between images and their targets in some feature space, per image.
     * Images are NHWC rows in [-1, 1] with the model's channels.
     */
    public interface FeatureLoss {
        /** Fixes the targets of the next calls: rows [0, n) of {@code nhwc}. */
        void setTargets(INDArray nhwc, int n);

        /** Per-image distances of rows [0, n) to their targets; their gradient is added into {@code gradInto}. */
        double[] distance(INDArray nhwc, int n, double weight, INDArray gradInto);
    }

    /**
     * Per image: the reconstruction (NHWC in [-1, 1], clipped), the latent ([numWs or 1] x latentDim,
     * row-major), pixel errors in [0, 1] units at the end and at the start (mean w, initial noise),
     * and the feature distance at the end (NaN without a feature loss).
     */
    public record Result(INDArray images, float[][] latents, double[] l1, double[] mse, double[] mseAtStart,
                         double[] featureDistance) {
    }

    private final StyleGanArchitecture arch;
    private final StyleGenerator g;
    private final int maxRows;
    private final INDArray wAvg;
    private final double wStd;
    private final FeatureLoss features;
    private final Tensor gradImage;

    /**
     * @param features the feature distance, or null for pixel loss only
     */
    public StyleGanProjector(StyleGanConfig config, TrainingState state, int maxRows, FeatureLoss features) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be >= 1, got " + maxRows);
        }
        this.arch = config.architecture();
        this.maxRows = maxRows;
        this.g = new StyleGenerator(arch, new Params(arch.generatorParams()), maxRows);
        g.params().load(state.get(StyleGanTrainer.G_EMA));
        this.wAvg = Nd4j.create(DataType.FLOAT, 1, arch.latentDim());
        HostArrays.load(wAvg, state.get(StyleGanTrainer.W_AVG));
        this.wStd = wSpread();
        this.features = features;
        int s = config.imageSize();
        this.gradImage = new Tensor(maxRows, s, s, config.channels());
    }

    public int maxRows() {
        return maxRows;
    }

    /** Style layers: a W+ latent has this many rows of latentDim. */
    public int numWs() {
        return arch.numWs();
    }

    public int latentDim() {
        return arch.latentDim();
    }

    /** sqrt(E ||w - w_avg||^2) over seeded samples of z: the scale of the noise added to w. */
    private double wSpread() {
        int d = arch.latentDim();
        int rows = 2 * maxRows;
        double sum = 0;
        int done = 0;
        float[] z = new float[rows * d];
        for (int chunk = 0; done < W_STD_SAMPLES; chunk++) {
            int n = Math.min(rows, W_STD_SAMPLES - done);
            new Rng(Seeds.derive(PURPOSE_W_STD, chunk)).fillGaussian(z, 0, n * d);
            HostArrays.load(g.z().rows(rows).reshape((long) rows * d), z);
            INDArray w = g.map(n).matrix(n);
            INDArray diff = w.sub(wAvg);
            sum += diff.muli(diff).sumNumber().doubleValue();
            done += n;
        }
        return Math.sqrt(sum / W_STD_SAMPLES);
    }

    /**
     * Projects rows [0, n) of {@code targets} ([n, S, S, C], NHWC in [-1, 1]); {@code keys[i]}
     * identifies image i for its random draws (its content hash, say).
     */
    public synchronized Result project(INDArray targets, long[] keys, int n, Options o) {
        if (n < 1 || n > maxRows || keys.length < n) {
            throw new IllegalArgumentException("project 1.." + maxRows + " images with a key each, got " + n);
        }
        int d = arch.latentDim();
        int layers = o.space() == Space.W_PLUS ? arch.numWs() : 1;
        INDArray target = targets.get(NDArrayIndex.interval(0, n)).castTo(DataType.FLOAT).dup('c');
        if (features != null && o.featureWeight() > 0) {
            features.setTargets(target, n);
        }
        // The variables and their Adam moments: latents [n, layers, d] and the noise maps' rows.
        // [n, layers * d]: layer l's w in columns [l d, (l + 1) d).
        INDArray lat = Nd4j.create(DataType.FLOAT, n, (long) layers * d);
        Nd4j.exec(new AddOp(lat, Nd4j.tile(wAvg, 1, layers), lat));
        INDArray latM = lat.ulike();
        INDArray latV = lat.ulike();
        Tensor[] noise = g.noiseInputs();
        INDArray[] noiseM = new INDArray[noise.length];
        INDArray[] noiseV = new INDArray[noise.length];
        initNoise(noise, keys, n, o.seed());
        for (int i = 0; i < noise.length; i++) {
            noiseM[i] = noise[i].rows(n).ulike();
            noiseV[i] = noise[i].rows(n).ulike();
        }
        double[] mseAtStart = pixelErrors(clipped(render(lat, null, n)), target, n)[1];

        Adam adam = new Adam(INITIAL_LR);
        float[] wNoise = new float[n * layers * d];
        INDArray wNoiseArr = Nd4j.create(DataType.FLOAT, n, (long) layers * d);
        for (int t = 0; t < o.steps(); t++) {
            double frac = (double) t / o.steps();
            double noiseScale = wStd * INITIAL_W_NOISE * Math.pow(Math.max(0.0, 1.0 - frac / NOISE_RAMP), 2);
            double ramp = Math.min(1.0, (1.0 - frac) / LR_RAMPDOWN);
            ramp = (0.5 - 0.5 * Math.cos(ramp * Math.PI)) * Math.min(1.0, frac / LR_RAMPUP);
            for (int r = 0; r < n; r++) {
                new Rng(Seeds.derive(o.seed(), keys[r], PURPOSE_W_NOISE, t)).fillGaussian(wNoise, r * layers * d, layers * d);
            }
            HostArrays.load(wNoiseArr.reshape((long) n * layers * d), wNoise);
            INDArray image = render(lat, wNoiseArr.muli(noiseScale), n);

            // dL/dimage of sum_i [mse_i + featureWeight * feature_i]: mse over the image's values.
            INDArray grad = gradImage.rows(n);
            Nd4j.exec(new SubOp(image, target, grad));
            grad.muli(2.0 / gradImage.rowSize());
            if (features != null && o.featureWeight() > 0) {
                features.distance(image, n, o.featureWeight(), grad);
            }
            g.synthesisBackward(gradImage, n);

            INDArray gLat = latentGrad(layers, n);
            if (ramp > 0) {
                adam.step(lat, gLat, latM, latV, t + 1, ramp);
            }
            Tensor[] noiseGrads = g.noiseGrads();
            for (int i = 0; i < noise.length; i++) {
                INDArray map = noise[i].rows(n);
                INDArray gMap = noiseGrads[i].rows(n).dup('c');
                if (o.noiseWeight() > 0) {
                    addAutocorrelationGrad(map, o.noiseWeight(), gMap);
                }
                if (ramp > 0) {
                    adam.step(map, gMap, noiseM[i], noiseV[i], t + 1, ramp);
                }
            }
            normalise(noise, n);
        }

        INDArray images = clipped(render(lat, null, n));
        double[][] errors = pixelErrors(images, target, n);
        double[] featureDistance = new double[n];
        if (features != null && o.featureWeight() > 0) {
            featureDistance = features.distance(images, n, 1.0, images.ulike());
        } else {
            java.util.Arrays.fill(featureDistance, Double.NaN);
        }
        float[][] latents = new float[n][];
        float[] all = HostArrays.toArray(lat);
        for (int r = 0; r < n; r++) {
            latents[r] = java.util.Arrays.copyOfRange(all, r * layers * d, (r + 1) * layers * d);
        }
        return new Result(images, latents, errors[0], errors[1], mseAtStart, featureDistance);
    }

    /** dL/dlatent [n, layers * d] after a backward pass: summed over style layers for w, side by side for w+. */
    private INDArray latentGrad(int layers, int n) {
        if (layers == 1) {
            INDArray sum = g.wGrad(0).matrix(n).dup('c');
            for (int l = 1; l < arch.numWs(); l++) {
                sum.addi(g.wGrad(l).matrix(n));
            }
            return sum;
        }
        INDArray[] parts = new INDArray[layers];
        for (int l = 0; l < layers; l++) {
            parts[l] = g.wGrad(l).matrix(n);
        }
        return Nd4j.hstack(parts);
    }

    /** The generator's images from latents [n, layers * d] (plus {@code wNoise} of their shape, when given). */
    private INDArray render(INDArray lat, INDArray wNoise, int n) {
        INDArray ws = wNoise == null ? lat : lat.add(wNoise);
        int d = arch.latentDim();
        boolean perLayer = ws.size(1) > d;
        for (int l = 0; l < arch.numWs(); l++) {
            int from = perLayer ? l * d : 0;
            g.wInput(l).matrix(n).assign(ws.get(NDArrayIndex.all(), NDArrayIndex.interval(from, from + d)));
        }
        return g.synthesize(n).rows(n);
    }

    /** A copy clipped to [-1, 1], as images are stored. */
    private static INDArray clipped(INDArray images) {
        INDArray c = images.dup('c');
        Transforms.min(c, 1.0, false);
        Transforms.max(c, -1.0, false);
        return c;
    }

    /** Per image: mean |x - t| and mean (x - t)^2, in [0, 1] pixel units (half the [-1, 1] difference). */
    private static double[][] pixelErrors(INDArray images, INDArray target, int n) {
        INDArray diff = images.sub(target).muli(0.5).reshape(n, -1);
        float[] l1 = HostArrays.toArray(Transforms.abs(diff, true).mean(1));
        float[] mse = HostArrays.toArray(diff.mul(diff).mean(1));
        double[][] errors = new double[2][n];
        for (int i = 0; i < n; i++) {
            errors[0][i] = l1[i];
            errors[1][i] = mse[i];
        }
        return errors;
    }

    /** Gaussian maps, one stream per (seed, image, map), normalised. */
    private static void initNoise(Tensor[] maps, long[] keys, int n, long seed) {
        for (int i = 0; i < maps.length; i++) {
            int pixels = maps[i].rowSize();
            float[] v = new float[n * pixels];
            for (int r = 0; r < n; r++) {
                new Rng(Seeds.derive(seed, keys[r], PURPOSE_NOISE_INIT, i)).fillGaussian(v, r * pixels, pixels);
            }
            HostArrays.load(maps[i].rows(n).reshape((long) n * pixels), v);
        }
        normalise(maps, n);
    }

    /** Each image's map to zero mean and unit variance, as NVlabs does after every step. */
    private static void normalise(Tensor[] maps, int n) {
        for (Tensor map : maps) {
            INDArray m = map.rows(n).reshape(n, map.rowSize());
            INDArray mean = m.mean(1).reshape(n, 1);
            Nd4j.exec(new SubOp(m, mean, m));
            INDArray std = Transforms.sqrt(m.mul(m).mean(1).addi(1e-8), false).reshape(n, 1);
            Nd4j.exec(new DivOp(m, std, m));
        }
    }

    /**
     * Adds the gradient of weight * (c_x^2 + c_y^2) per image, c being the mean product of the map
     * with itself shifted by one pixel (wrapping) along x or y: it keeps the noise from carrying
     * the image's structure.
     */
    static void addAutocorrelationGrad(INDArray map, double weight, INDArray gradInto) {
        long n = map.size(0);
        double pixels = map.size(1) * map.size(2);
        for (int axis = 1; axis <= 2; axis++) {
            INDArray next = roll(map, axis, 1);
            INDArray prev = roll(map, axis, -1);
            // c = mean(x * roll(x)); dc/dx = (roll(x, 1) + roll(x, -1)) / pixels; d(c^2) = 2 c dc.
            INDArray c = map.mul(next).reshape(n, -1).mean(1).reshape(n, 1, 1, 1);
            INDArray term = next.addi(prev).muli(2.0 * weight / pixels);
            Nd4j.exec(new MulOp(term, c, term));
            gradInto.addi(term);
        }
    }

    /** [n, h, w, 1] shifted by {@code by} (1 or -1) along axis 1 or 2, wrapping around. */
    private static INDArray roll(INDArray x, int axis, int by) {
        long size = x.size(axis);
        long cut = by > 0 ? size - 1 : 1;
        INDArray head = x.get(index(axis, 0, cut));
        INDArray tail = x.get(index(axis, cut, size));
        return Nd4j.concat(axis, tail, head);
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex[] index(int axis, long from, long to) {
        org.nd4j.linalg.indexing.INDArrayIndex[] idx = {NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.all()};
        idx[axis] = NDArrayIndex.interval(from, to);
        return idx;
    }

    /** The noise maps' autocorrelation penalty of rows [0, n) (tests compare its gradient with differences). */
    static double autocorrelation(INDArray map) {
        long n = map.size(0);
        double total = 0;
        for (int axis = 1; axis <= 2; axis++) {
            INDArray c = map.mul(roll(map, axis, 1)).reshape(n, -1).mean(1);
            total += c.mul(c).sumNumber().doubleValue();
        }
        return total;
    }
}
