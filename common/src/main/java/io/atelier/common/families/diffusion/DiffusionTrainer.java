package io.atelier.common.families.diffusion;

import io.atelier.common.nn.ParamLayout;
import io.atelier.common.nn.Rng;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.ModelTrainer;
import io.atelier.common.train.Seeds;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A diffusion model for the averaging engine: t uniform over [0, T), MSE between the U-Net's
 * prediction and the noise (or v), Adam with warm-up and gradient clipping, and an EMA of the
 * weights that sampling uses.
 *
 * <p>State tensors (flat, in this order, all averaged): {@value #PARAMS}, {@value #ADAM_M},
 * {@value #ADAM_V}, {@value #EMA}.
 */
public final class DiffusionTrainer implements ModelTrainer {
    public static final String PARAMS = "U/params";
    public static final String ADAM_M = "U/adam_m";
    public static final String ADAM_V = "U/adam_v";
    public static final String EMA = "U/ema";

    static final long PURPOSE_INIT = 1;
    static final long PURPOSE_BATCH = 2;
    static final long PURPOSE_TIME = 3;
    static final long PURPOSE_NOISE = 4;
    static final long PURPOSE_DROP = 5;

    public static final List<String> METRICS = List.of("loss", "grad_norm", "lr");

    private static final long serialVersionUID = 1L;
    private static final int GRID_ROWS = 64;

    private final DiffusionConfig config;
    private transient DiffusionSampler gridSampler;

    public DiffusionTrainer(DiffusionConfig config) {
        this.config = config;
    }

    public DiffusionConfig config() {
        return config;
    }

    @Override
    public TrainingState initialState(long seed) {
        ParamLayout layout = config.architecture().params();
        float[] params = layout.initialValues(new Rng(Seeds.derive(seed, PURPOSE_INIT)));
        Map<String, float[]> t = new LinkedHashMap<>();
        t.put(PARAMS, params);
        t.put(ADAM_M, new float[layout.size()]);
        t.put(ADAM_V, new float[layout.size()]);
        t.put(EMA, params.clone());
        return new TrainingState(t, 0, 0);
    }

    @Override
    public DiffusionWorker newWorker() {
        return new DiffusionWorker(config);
    }

    /**
     * {@code count} images from the EMA weights with the default sampler (DDIM, 50 steps): image
     * i starts from the noise of (seed, i) and, when conditional, asks for class i mod K.
     */
    @Override
    public synchronized float[] sampleGrid(TrainingState state, long seed, int count) {
        if (gridSampler == null) {
            gridSampler = new DiffusionSampler(config, GRID_ROWS);
        }
        long[] indices = new long[count];
        int[][] conditions = new int[count][];
        Vocabulary vocabulary = config.conditional() ? config.vocabulary() : null;
        for (int i = 0; i < count; i++) {
            indices[i] = i;
            conditions[i] = vocabulary == null ? null : vocabulary.caption(i % vocabulary.captions());
        }
        return gridSampler.sample(state.get(EMA), seed, indices, conditions, DiffusionSampler.Settings.DEFAULT, null);
    }

    /** A model of free captions sees each row's caption index; one of label names, its class. */
    @Override
    public io.atelier.common.train.RowLabeler rowLabeler() {
        return ConditionCaptions.labeler(config);
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
