package io.atelier.common.families.cyclegan;

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
 * CycleGAN for the averaging engine: generators G (A to B) and F (B to A), discriminators D_A
 * (judges domain A images) and D_B (domain B), least-squares GAN loss, cycle and identity L1
 * losses, Adam on all four, a learning rate constant until {@code decayFrom} and then linear
 * towards 0, and a pool of generated images per worker and direction.
 *
 * <p>State tensors: for each of G, F, DA and DB its parameters and Adam moments (averaged across
 * workers), then the pools ({@value #POOL_A}: fakes of domain A, {@value #POOL_B}, each
 * [workers x poolSize x imageFloats] in NHWC order) and {@value #POOL_COUNTS} (per worker: images
 * stored in each pool). A pool is per worker, as in the reference's one-process training: each
 * worker writes only its own slice and the engine sums the slices ({@link Combine#SUM}), so
 * pools are carried through rounds and checkpoints but never mixed.
 */
public final class CycleGanTrainer implements ModelTrainer {
    public static final String G_PARAMS = "G/params";
    public static final String G_ADAM_M = "G/adam_m";
    public static final String G_ADAM_V = "G/adam_v";
    public static final String F_PARAMS = "F/params";
    public static final String F_ADAM_M = "F/adam_m";
    public static final String F_ADAM_V = "F/adam_v";
    public static final String DA_PARAMS = "DA/params";
    public static final String DA_ADAM_M = "DA/adam_m";
    public static final String DA_ADAM_V = "DA/adam_v";
    public static final String DB_PARAMS = "DB/params";
    public static final String DB_ADAM_M = "DB/adam_m";
    public static final String DB_ADAM_V = "DB/adam_v";
    public static final String POOL_A = "pool/a";
    public static final String POOL_B = "pool/b";
    public static final String POOL_COUNTS = "pool/counts";

    /** Purposes for {@link Seeds#derive}: one independent stream per kind of draw. */
    static final long PURPOSE_INIT = 1;
    static final long PURPOSE_BATCH_A = 2;
    static final long PURPOSE_BATCH_B = 3;
    static final long PURPOSE_POOL_A = 4;
    static final long PURPOSE_POOL_B = 5;

    /**
     * g_loss is the generators' weighted total; adv_* the least-squares terms, cycle_* and
     * identity_* the unweighted mean absolute errors in [-1, 1] pixel units, d_* each
     * discriminator's loss, g_grad_norm the generators' joint gradient norm.
     */
    public static final List<String> METRICS = List.of("g_loss", "adv_ab", "adv_ba", "cycle_a", "cycle_b", "identity_a",
            "identity_b", "d_a", "d_b", "g_grad_norm");

    private static final long serialVersionUID = 1L;

    private final CycleGanConfig config;
    /** Fixed images of each domain (NHWC, RGB, [-1, 1]) for the sample grids; empty when none were given. */
    private final float[] gridA;
    private final float[] gridB;
    private transient CycleGanTranslator gridTranslator;

    public CycleGanTrainer(CycleGanConfig config, float[] gridA, float[] gridB) {
        this.config = config;
        this.gridA = gridA.clone();
        this.gridB = gridB.clone();
        int size = config.imageFloats();
        if (gridA.length % size != 0 || gridB.length % size != 0) {
            throw new IllegalArgumentException("grid images must be whole " + config.channels() + "x" + config.imageSize()
                    + "x" + config.imageSize() + " images");
        }
    }

    public CycleGanConfig config() {
        return config;
    }

    @Override
    public TrainingState initialState(long seed) {
        CycleGanArchitecture arch = config.architecture();
        ParamLayout g = arch.generatorParams();
        ParamLayout d = arch.discriminatorParams();
        Map<String, float[]> t = new LinkedHashMap<>();
        putNetwork(t, G_PARAMS, G_ADAM_M, G_ADAM_V, g.initialValues(new Rng(Seeds.derive(seed, PURPOSE_INIT, 0))));
        putNetwork(t, F_PARAMS, F_ADAM_M, F_ADAM_V, g.initialValues(new Rng(Seeds.derive(seed, PURPOSE_INIT, 1))));
        putNetwork(t, DA_PARAMS, DA_ADAM_M, DA_ADAM_V, d.initialValues(new Rng(Seeds.derive(seed, PURPOSE_INIT, 2))));
        putNetwork(t, DB_PARAMS, DB_ADAM_M, DB_ADAM_V, d.initialValues(new Rng(Seeds.derive(seed, PURPOSE_INIT, 3))));
        long poolFloats = (long) config.workers() * config.poolSize() * config.imageFloats();
        if (poolFloats > Integer.MAX_VALUE - 8) {
            throw new InvalidSettingException("image pools of " + config.poolSize() + " images for " + config.workers()
                    + " workers do not fit one tensor: lower {poolSize}");
        }
        t.put(POOL_A, new float[(int) poolFloats]);
        t.put(POOL_B, new float[(int) poolFloats]);
        t.put(POOL_COUNTS, new float[2 * config.workers()]);
        return new TrainingState(t, 0, 0);
    }

    private static void putNetwork(Map<String, float[]> t, String params, String m, String v, float[] values) {
        t.put(params, values);
        t.put(m, new float[values.length]);
        t.put(v, new float[values.length]);
    }

    /** Refuses a state made for another config (sizes of the networks or pools differ). */
    static void checkState(CycleGanConfig config, TrainingState state) {
        CycleGanArchitecture arch = config.architecture();
        int g = arch.generatorParams().size();
        int d = arch.discriminatorParams().size();
        long pool = (long) config.workers() * config.poolSize() * config.imageFloats();
        boolean ok = state.get(G_PARAMS).length == g && state.get(F_PARAMS).length == g
                && state.get(G_ADAM_M).length == g && state.get(F_ADAM_V).length == g
                && state.get(DA_PARAMS).length == d && state.get(DB_PARAMS).length == d
                && state.get(DA_ADAM_M).length == d && state.get(DB_ADAM_V).length == d
                && state.get(POOL_A).length == pool && state.get(POOL_B).length == pool
                && state.get(POOL_COUNTS).length == 2 * config.workers();
        if (!ok) {
            throw new IllegalArgumentException("training state does not match this CycleGAN config (networks, pool size or workers differ)");
        }
    }

    @Override
    public Combine combine(String tensorName) {
        return tensorName.startsWith("pool/") ? Combine.SUM : Combine.MEAN;
    }

    @Override
    public LocalWorker newWorker() {
        return new CycleGanWorker(config);
    }

    /**
     * Rows of (real A, G(A), F(G(A))) for the fixed domain A images, then (real B, F(B), G(F(B)))
     * for domain B's, two triplets to a row of the sheet. The seed is unused: translation draws
     * nothing.
     */
    @Override
    public synchronized float[] sampleGrid(TrainingState state, long seed, int count) {
        if (gridTranslator == null) {
            gridTranslator = new CycleGanTranslator(config, Math.max(1, Math.max(gridA.length, gridB.length) / config.imageFloats()));
        }
        gridTranslator.load(state);
        float[] a = gridTranslator.triplets(gridA, CycleGanTranslator.Direction.A_TO_B);
        float[] b = gridTranslator.triplets(gridB, CycleGanTranslator.Direction.B_TO_A);
        float[] out = new float[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Real images one worker consumes per step: a batch of each domain. */
    @Override
    public int imagesPerStep() {
        return 2 * config.batchSize();
    }

    @Override
    public List<String> metricNames() {
        return METRICS;
    }
}
