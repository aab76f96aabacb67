package io.atelier.common.families.dcgan;

import io.atelier.common.nn.ParamLayout;
import io.atelier.common.nn.Rng;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.ModelTrainer;
import io.atelier.common.train.Seeds;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DCGAN (optionally class-conditional) for the averaging engine: non-saturating loss, Adam on
 * both networks, and an exponential moving average of the generator that sampling uses.
 *
 * <p>State tensors (flat, in this order): {@value #G_PARAMS}, {@value #G_ADAM_M},
 * {@value #G_ADAM_V}, {@value #G_STATS} (batch-norm running statistics), {@value #G_EMA},
 * {@value #G_EMA_STATS}, then the same four for D without the EMA. Every tensor is averaged
 * across workers.
 */
public final class DcganTrainer implements ModelTrainer {
    public static final String G_PARAMS = "G/params";
    public static final String G_ADAM_M = "G/adam_m";
    public static final String G_ADAM_V = "G/adam_v";
    public static final String G_STATS = "G/bn";
    public static final String G_EMA = "G/ema";
    public static final String G_EMA_STATS = "G/ema_bn";
    public static final String D_PARAMS = "D/params";
    public static final String D_ADAM_M = "D/adam_m";
    public static final String D_ADAM_V = "D/adam_v";
    public static final String D_STATS = "D/bn";

    /** Purposes for {@link Seeds#derive}: one independent stream per kind of draw. */
    static final long PURPOSE_INIT = 1;
    static final long PURPOSE_BATCH = 2;
    static final long PURPOSE_LATENT = 3;
    static final long PURPOSE_FAKE_LABELS = 4;

    public static final List<String> METRICS = List.of("d_loss", "g_loss", "d_real", "d_fake", "d_grad_norm", "g_grad_norm");

    private static final long serialVersionUID = 1L;
    private static final int GRID_BATCH = 64;

    private final DcganConfig config;
    private transient DcganSampler gridSampler;

    public DcganTrainer(DcganConfig config) {
        this.config = config;
    }

    public DcganConfig config() {
        return config;
    }

    public DcganArchitecture architecture() {
        return architecture(config);
    }

    public static DcganArchitecture architecture(DcganConfig c) {
        return new DcganArchitecture(c.imageSize(), c.channels(), c.latentDim(), c.generatorWidth(),
                c.discriminatorWidth(), c.conditional() ? c.numClasses() : 0, c.labelEmbedding());
    }

    @Override
    public TrainingState initialState(long seed) {
        DcganArchitecture arch = architecture();
        ParamLayout g = arch.generatorParams();
        ParamLayout gs = arch.generatorStats();
        ParamLayout d = arch.discriminatorParams();
        ParamLayout ds = arch.discriminatorStats();
        float[] gParams = g.initialValues(new Rng(Seeds.derive(seed, PURPOSE_INIT, 0)));
        float[] dParams = d.initialValues(new Rng(Seeds.derive(seed, PURPOSE_INIT, 1)));
        float[] gStats = gs.initialValues(new Rng(0));
        Map<String, float[]> t = new LinkedHashMap<>();
        t.put(G_PARAMS, gParams);
        t.put(G_ADAM_M, new float[g.size()]);
        t.put(G_ADAM_V, new float[g.size()]);
        t.put(G_STATS, gStats);
        t.put(G_EMA, gParams.clone());
        t.put(G_EMA_STATS, gStats.clone());
        t.put(D_PARAMS, dParams);
        t.put(D_ADAM_M, new float[d.size()]);
        t.put(D_ADAM_V, new float[d.size()]);
        t.put(D_STATS, ds.initialValues(new Rng(0)));
        return new TrainingState(t, 0, 0);
    }

    @Override
    public DcganWorker newWorker() {
        return new DcganWorker(config);
    }

    /** A sampler over the EMA generator, for up to {@code maxRows} images per native batch. */
    public DcganSampler newSampler(int maxRows) {
        return new DcganSampler(config, maxRows);
    }

    /**
     * {@code count} images from the EMA generator: image i uses the noise of (seed, i) and, when
     * conditional, class i mod numClasses, so rows of a grid cycle through the classes.
     */
    @Override
    public synchronized float[] sampleGrid(TrainingState state, long seed, int count) {
        if (gridSampler == null) {
            gridSampler = newSampler(Math.min(GRID_BATCH, Math.max(1, count)));
        }
        long[] indices = new long[count];
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            indices[i] = i;
            labels[i] = config.conditional() ? i % config.numClasses() : -1;
        }
        return gridSampler.generate(state, seed, indices, labels);
    }

    /** Real images one worker consumes per step (the engine's images/s counts these). */
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
