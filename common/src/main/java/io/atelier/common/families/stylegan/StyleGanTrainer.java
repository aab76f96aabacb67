package io.atelier.common.families.stylegan;

import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.nn.ParamLayout;
import io.atelier.common.nn.Rng;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.ModelTrainer;
import io.atelier.common.train.Seeds;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * StyleGAN2 for the averaging engine: non-saturating logistic loss, lazy R1 on reals, style-mixing
 * regularisation, Adam on both networks, and the generator's moving average that sampling uses.
 *
 * <p>State tensors: {@value #G_PARAMS} (mapping and synthesis), its Adam moments, {@value #G_EMA},
 * {@value #W_AVG} (the tracked mean w), {@value #NOISE_CONST} (the fixed noise maps, drawn from
 * the seed and never trained), then D's parameters and moments, and under {@code --augment ada}
 * {@value #ADA_P} (the augmentation probability), and with {@code plWeight > 0} {@value #PL_MEAN}
 * (the path-length penalty's moving average of |J^T y|). Everything is averaged across workers
 * (pl_mean, like w_avg, is each worker's moving average; their mean is one over all) except the
 * noise maps and p, which are equal on every worker and taken from worker 0; p is moved once per
 * round on the driver from the workers' averaged r_t ({@link #afterAveraging}).
 */
public final class StyleGanTrainer implements ModelTrainer {
    public static final String G_PARAMS = "G/params";
    public static final String G_ADAM_M = "G/adam_m";
    public static final String G_ADAM_V = "G/adam_v";
    public static final String G_EMA = "G/ema";
    public static final String W_AVG = "G/w_avg";
    public static final String NOISE_CONST = "G/noise_const";
    public static final String D_PARAMS = "D/params";
    public static final String D_ADAM_M = "D/adam_m";
    public static final String D_ADAM_V = "D/adam_v";
    /** ADA's p, one float, present under {@code --augment ada} only. */
    public static final String ADA_P = "ADA/p";
    /** The path-length penalty's running mean of |J^T y|, one float, present when plWeight > 0 only. */
    public static final String PL_MEAN = "G/pl_mean";

    /** Purposes for {@link Seeds#derive}: one independent stream per kind of draw. */
    static final long PURPOSE_INIT = 1;
    static final long PURPOSE_BATCH = 2;
    static final long PURPOSE_LATENT_D = 3;
    static final long PURPOSE_LATENT_G = 4;
    static final long PURPOSE_MIX_D = 5;
    static final long PURPOSE_MIX_G = 6;
    static final long PURPOSE_NOISE_D = 7;
    static final long PURPOSE_NOISE_G = 8;
    static final long PURPOSE_NOISE_CONST = 9;
    static final long PURPOSE_AUGMENT_REAL = 10;
    static final long PURPOSE_AUGMENT_FAKE_D = 11;
    static final long PURPOSE_AUGMENT_FAKE_G = 12;
    static final long PURPOSE_LATENT_PL = 13;
    static final long PURPOSE_MIX_PL = 14;
    static final long PURPOSE_NOISE_PL = 15;
    static final long PURPOSE_PL_PROJECTION = 16;

    /**
     * d_loss = softplus(D(fake)) + softplus(-D(real)) (means), g_loss = softplus(-D(G(z))), d_real
     * and d_fake the mean sigmoids, r1 the mean |dD/dx|^2 over reals on R1 steps (0 on the others),
     * the gradient norms before the optimiser, |w_avg|, the augmentation probability the round used
     * (0 when off), ADA's r_t = mean sign(D(real)) over the (augmented) reals, pl_penalty the mean
     * (|J^T y| - pl_mean)^2 on path-length steps (0 on the others, unweighted) and pl_mean after the
     * step (0 when off).
     */
    public static final List<String> METRICS = List.of("d_loss", "g_loss", "d_real", "d_fake", "r1", "d_grad_norm",
            "g_grad_norm", "w_avg_norm", "ada_p", "ada_rt", "pl_penalty", "pl_mean");
    /** The index of ada_p and ada_rt in {@link #METRICS}. */
    static final int METRIC_ADA_P = 8;
    static final int METRIC_ADA_RT = 9;
    /** The index of pl_penalty and pl_mean in {@link #METRICS}. */
    static final int METRIC_PL_PENALTY = 10;
    static final int METRIC_PL_MEAN = 11;

    private static final long serialVersionUID = 1L;
    private static final int GRID_BATCH = 32;

    private final StyleGanConfig config;
    private transient StyleGanSampler gridSampler;

    public StyleGanTrainer(StyleGanConfig config) {
        this.config = config;
    }

    public StyleGanConfig config() {
        return config;
    }

    /** Floats of the constant noise maps: one map per modulated 3x3 layer. */
    static int noiseFloats(StyleGanArchitecture arch) {
        int n = 0;
        for (int b = 0; b < arch.blocks(); b++) {
            int s = StyleGanArchitecture.side(b);
            n += (b == 0 ? 1 : 2) * s * s;
        }
        return n;
    }

    @Override
    public TrainingState initialState(long seed) {
        StyleGanArchitecture arch = config.architecture();
        ParamLayout g = arch.generatorParams();
        ParamLayout d = arch.discriminatorParams();
        float[] gParams = g.initialValues(new Rng(Seeds.derive(seed, PURPOSE_INIT, 0)));
        float[] dParams = d.initialValues(new Rng(Seeds.derive(seed, PURPOSE_INIT, 1)));
        float[] noise = new float[noiseFloats(arch)];
        new Rng(Seeds.derive(seed, PURPOSE_NOISE_CONST)).fillGaussian(noise, 0, noise.length);
        Map<String, float[]> t = new LinkedHashMap<>();
        t.put(G_PARAMS, gParams);
        t.put(G_ADAM_M, new float[g.size()]);
        t.put(G_ADAM_V, new float[g.size()]);
        t.put(G_EMA, gParams.clone());
        t.put(W_AVG, new float[arch.latentDim()]);
        t.put(NOISE_CONST, noise);
        t.put(D_PARAMS, dParams);
        t.put(D_ADAM_M, new float[d.size()]);
        t.put(D_ADAM_V, new float[d.size()]);
        if (config.augment().adaptive()) {
            t.put(ADA_P, new float[]{(float) config.augment().p()});
        }
        if (config.plWeight() > 0) {
            t.put(PL_MEAN, new float[1]);
        }
        return new TrainingState(t, 0, 0);
    }

    /** Refuses a state made for another config. */
    static void checkState(StyleGanConfig config, TrainingState state) {
        StyleGanArchitecture arch = config.architecture();
        int g = arch.generatorParams().size();
        int d = arch.discriminatorParams().size();
        boolean ok = state.get(G_PARAMS).length == g && state.get(G_ADAM_M).length == g && state.get(G_ADAM_V).length == g
                && state.get(G_EMA).length == g && state.get(W_AVG).length == arch.latentDim()
                && state.get(NOISE_CONST).length == noiseFloats(arch)
                && state.get(D_PARAMS).length == d && state.get(D_ADAM_M).length == d && state.get(D_ADAM_V).length == d;
        if (!ok) {
            throw new IllegalArgumentException("training state does not match this StyleGAN config (network sizes differ)");
        }
        if (config.augment().adaptive() != state.tensors().containsKey(ADA_P)) {
            throw new InvalidSettingException("training state " + (config.augment().adaptive() ? "has no" : "has an")
                    + " ADA p (" + ADA_P + ") but this config has {augment} " + config.augment().mode()
                    + ": train with the augmentation the state was made for");
        }
        if ((config.plWeight() > 0) != state.tensors().containsKey(PL_MEAN)) {
            throw new InvalidSettingException("training state " + (config.plWeight() > 0 ? "has no" : "has a")
                    + " path-length mean (" + PL_MEAN + ") but this config has {plWeight} " + config.plWeight()
                    + ": train with " + (config.plWeight() > 0 ? "{plWeight} 0" : "a {plWeight} above 0")
                    + " as the state was made");
        }
    }

    @Override
    public Combine combine(String tensorName) {
        return NOISE_CONST.equals(tensorName) || ADA_P.equals(tensorName) ? Combine.FIRST : Combine.MEAN;
    }

    /**
     * Under {@code --augment ada}: p moves once per round from the round's r_t (averaged over the
     * workers' K steps, then over the workers) by the images all workers saw, as NVlabs moves it
     * every few minibatches.
     */
    @Override
    public void afterAveraging(TrainingState averaged, Map<String, Double> metrics, long imagesSeen) {
        if (!config.augment().adaptive()) {
            return;
        }
        float[] p = averaged.get(ADA_P);
        p[0] = (float) config.augment().controller().next(p[0], metrics.get(METRICS.get(METRIC_ADA_RT)), imagesSeen);
    }

    @Override
    public LocalWorker newWorker() {
        return new StyleGanWorker(config);
    }

    /** A sampler over the EMA generator, for up to {@code maxRows} images per native batch. */
    public StyleGanSampler newSampler(int maxRows) {
        return new StyleGanSampler(config, maxRows);
    }

    /** {@code count} images of the EMA generator, sample i from (seed, i), constant noise, no truncation. */
    @Override
    public synchronized float[] sampleGrid(TrainingState state, long seed, int count) {
        if (gridSampler == null) {
            gridSampler = newSampler(Math.min(GRID_BATCH, Math.max(1, count)));
        }
        long[] indices = new long[count];
        for (int i = 0; i < count; i++) {
            indices[i] = i;
        }
        return gridSampler.generate(state, seed, indices, StyleGanSampling.DEFAULT);
    }

    @Override
    public int imagesPerStep() {
        return config.batchSize();
    }

    @Override
    public double emaDecay() {
        return config.emaDecay();
    }

    @Override
    public List<String> metricNames() {
        return METRICS;
    }
}
