package io.atelier.common.families.diffusion;

import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.nn.HostArrays;
import io.atelier.common.nn.Rng;
import io.atelier.common.nn.Tensor;
import io.atelier.common.train.Seeds;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.Locale;

/**
 * Images from a diffusion model's (EMA) weights: DDPM ancestral sampling over all T steps, or
 * DDIM over S evenly spaced steps with noise scale eta, with classifier-free guidance
 * eps = eps_uncond + G (eps_cond - eps_uncond). Sample i's starting noise and every per-step
 * noise derive from (seed, i, t) alone, and the network has no batch statistics, so an image
 * depends only on its own seed, index and condition. The noise is drawn on the heap and comes in
 * through {@link HostArrays}, as the images go out; the guidance and {@link NoiseSchedule}'s DDPM
 * and DDIM updates are ND4J ops on the samples' NHWC tensor. Built once per executor; not thread-safe.
 */
public final class DiffusionSampler {
    static final long PURPOSE_START = 11;
    static final long PURPOSE_STEP = 12;

    public enum Method {
        DDPM, DDIM;

        public static Method parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException("{sampler} " + s + ": use ddpm or ddim");
            }
        }
    }

    /**
     * @param steps    DDIM steps S (ignored by DDPM, which takes all T)
     * @param eta      DDIM noise scale: 0 deterministic, 1 the posterior variance
     * @param guidance classifier-free guidance G: 0 unconditional, 1 conditional, above 1 sharper
     */
    public record Settings(Method method, int steps, double eta, double guidance) implements Serializable {
        public static final Settings DEFAULT = new Settings(Method.DDIM, 50, 0.0, 2.0);

        public Settings {
            if (steps < 1) {
                throw new InvalidSettingException("{steps} " + steps + ": use 1 or more");
            }
            if (!(eta >= 0 && eta <= 1)) {
                throw new InvalidSettingException("{eta} " + eta + ": use a value in [0, 1]");
            }
            if (!(guidance >= 0) || Double.isInfinite(guidance)) {
                throw new InvalidSettingException("{guidance} " + guidance + ": use 0 or more");
            }
        }

        /** The time steps visited, from T-1 down to 0. */
        int[] times(NoiseSchedule schedule) {
            return method == Method.DDPM ? schedule.ddimTimes(schedule.timesteps())
                    : schedule.ddimTimes(Math.min(steps, schedule.timesteps()));
        }

        public String describe() {
            return method == Method.DDPM ? String.format(Locale.ROOT, "DDPM, all steps, guidance %.2f", guidance)
                    : String.format(Locale.ROOT, "DDIM, %d steps, eta %.2f, guidance %.2f", steps, eta, guidance);
        }
    }

    /** Called after every sampling step of a batch. */
    public interface StepListener {
        void step(int done, int total, int images);
    }

    private final DiffusionConfig config;
    private final NoiseSchedule schedule;
    private final UNet net;
    private final int size;
    private final double[] times;
    private final int[][] rowWords;
    private final int[] rowSource;
    private final int[] uncondRow;
    /** Noise drawn on the heap, for the start or a step. */
    private final float[] noiseHost;
    /** The samples x_t of the chunk in progress (NHWC). */
    private final Tensor x;
    private final Tensor eps;
    private final Tensor z;
    private final Tensor x0;
    private final Tensor scratch;

    public DiffusionSampler(DiffusionConfig config, int maxRows) {
        this.config = config;
        this.schedule = config.noiseSchedule();
        this.net = new UNet(config.architecture(), maxRows);
        this.size = config.imageFloats();
        this.times = new double[maxRows];
        this.rowWords = new int[maxRows][];
        this.rowSource = new int[maxRows];
        this.uncondRow = new int[maxRows];
        this.noiseHost = new float[maxRows * size];
        int side = config.imageSize();
        int c = config.channels();
        this.x = new Tensor(maxRows, side, side, c);
        this.eps = new Tensor(maxRows, side, side, c);
        this.z = new Tensor(maxRows, side, side, c);
        this.x0 = new Tensor(maxRows, side, side, c);
        this.scratch = new Tensor(maxRows, side, side, c);
    }

    public UNet network() {
        return net;
    }

    /** The starting noise x_T of sample {@code index} (NHWC), a function of (seed, index) alone. */
    public static void start(long seed, long index, float[] out, int offset, int length) {
        new Rng(Seeds.derive(seed, index, PURPOSE_START)).fillGaussian(out, offset, length);
    }

    /** The noise added at time {@code t} to sample {@code index}. */
    public static void stepNoise(long seed, long index, int t, float[] out, int offset, int length) {
        new Rng(Seeds.derive(seed, index, PURPOSE_STEP, t)).fillGaussian(out, offset, length);
    }

    /**
     * Images (NHWC in [-1, 1]) for samples {@code indices} of {@code seed}; {@code conditions[i]}
     * are sample i's word ids, or null for an unconditional sample.
     */
    public float[] sample(float[] weights, long seed, long[] indices, int[][] conditions, Settings settings,
                          StepListener listener) {
        if (conditions.length != indices.length) {
            throw new IllegalArgumentException(indices.length + " sample indices but " + conditions.length + " conditions");
        }
        net.params().load(weights);
        int perChunk = guided(settings) ? Math.max(1, net.maxRows() / 2) : net.maxRows();
        float[] out = new float[indices.length * size];
        int[] ts = settings.times(schedule);
        for (int start = 0; start < indices.length; start += perChunk) {
            int n = Math.min(perChunk, indices.length - start);
            long[] idx = java.util.Arrays.copyOfRange(indices, start, start + n);
            int[][] cond = java.util.Arrays.copyOfRange(conditions, start, start + n);
            for (int r = 0; r < n; r++) {
                start(seed, idx[r], noiseHost, r * size, size);
            }
            HostArrays.load(x.matrix(n), noiseHost);
            for (int k = 0; k < ts.length; k++) {
                int t = ts[k];
                int s = k + 1 < ts.length ? ts[k + 1] : -1;
                predict(n, t, cond, settings.guidance());
                boolean noisy = settings.method() == Method.DDPM ? t > 0 : settings.eta() > 0 && s >= 0;
                if (noisy) {
                    for (int r = 0; r < n; r++) {
                        stepNoise(seed, idx[r], t, noiseHost, r * size, size);
                    }
                    HostArrays.load(z.matrix(n), noiseHost);
                }
                INDArray noise = noisy ? z.matrix(n) : null;
                if (settings.method() == Method.DDPM) {
                    schedule.ddpmStep(x.matrix(n), eps.matrix(n), noise, t, x0.matrix(n));
                } else {
                    schedule.ddimStep(x.matrix(n), eps.matrix(n), noise, t, s, settings.eta(), x0.matrix(n), scratch.matrix(n));
                }
                if (listener != null) {
                    listener.step(k + 1, ts.length, n);
                }
            }
            HostArrays.store(x.matrix(n), out, start * size);
        }
        return out;
    }

    private static boolean guided(Settings s) {
        return s.guidance() != 0 && s.guidance() != 1;
    }

    /**
     * The guided noise prediction for rows [0, n) of {@code x} (NHWC) at time t into {@code out}:
     * unconditional rows (null condition) and guidance 0 use eps_uncond, guidance 1 eps_cond,
     * anything else eps_uncond + G (eps_cond - eps_uncond). v predictions are turned into eps.
     */
    public void predictNoise(float[] x, int n, int t, int[][] conditions, double guidance, float[] out) {
        HostArrays.load(this.x.matrix(n), x);
        predict(n, t, conditions, guidance);
        HostArrays.store(eps.matrix(n), out);
    }

    /** {@link #predictNoise} from and into the sampler's tensors: rows [0, n) of x into eps. */
    private void predict(int n, int t, int[][] conditions, double guidance) {
        boolean both = guidance != 0 && guidance != 1;
        int rows = 0;
        for (int r = 0; r < n; r++) {
            rowSource[rows] = r;
            rowWords[rows++] = guidance == 0 ? null : conditions[r];
        }
        for (int r = 0; r < n; r++) {
            uncondRow[r] = r;
            if (both && conditions[r] != null) {
                uncondRow[r] = rows;
                rowSource[rows] = r;
                rowWords[rows++] = null;
            }
        }
        if (rows > net.maxRows()) {
            throw new IllegalArgumentException(rows + " rows exceed the sampler's " + net.maxRows());
        }
        java.util.Arrays.fill(times, 0, rows, t);
        INDArray in = net.input().rows(rows);
        gatherRows(x.rows(n), rowSource, rows, in);
        net.setTimesAndConditions(times, rowWords, rows);
        INDArray raw = net.forward(rows).matrix(rows);
        if (config.prediction() == DiffusionConfig.Prediction.V) {
            schedule.velocityToEps(net.input().matrix(rows), raw, t, scratch.matrix(rows));
        }
        INDArray e = eps.matrix(n);
        INDArray cond = raw.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n), org.nd4j.linalg.indexing.NDArrayIndex.all());
        if (!both || rows == n) {
            e.assign(cond);
            return;
        }
        // Rows without an unconditional partner pair with themselves: u + G (c - u) = c exactly.
        INDArray u = x0.matrix(n);
        gatherRows(raw, uncondRow, n, u);
        Nd4j.exec(new SubOp(cond, u, e));
        e.muli(guidance);
        Nd4j.exec(new AddOp(e, u, e));
    }

    /** out[i] = src[index[i]] for i in [0, count), along the first axis. */
    private static void gatherRows(INDArray src, int[] index, int count, INDArray out) {
        int[] args = new int[count + 1];
        System.arraycopy(index, 0, args, 1, count);
        Nd4j.exec(DynamicCustomOp.builder("gather").addInputs(src).addOutputs(out).addIntegerArguments(args).build());
    }
}
