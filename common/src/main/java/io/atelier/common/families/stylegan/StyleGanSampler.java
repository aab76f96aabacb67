package io.atelier.common.families.stylegan;

import io.atelier.common.nn.HostArrays;
import io.atelier.common.nn.Params;
import io.atelier.common.nn.Rng;
import io.atelier.common.nn.Tensor;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.Seeds;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Images from the EMA generator of a state, with its tracked mean w and constant noise maps. Sample
 * i's z derives from (seed, i) alone, its mixing z from (mixSeed, i), its random noise from
 * (seed, i): every layer works per row, so an image never depends on the batch it is made in.
 * Built once per executor; not thread-safe.
 */
public final class StyleGanSampler {
    /** Purpose of the random noise maps' draw, beside the sample index. */
    static final long PURPOSE_NOISE = 11;

    private final StyleGanConfig config;
    private final StyleGanArchitecture arch;
    private final StyleGenerator g;
    private final float[] z;
    private final INDArray wAvg;

    StyleGanSampler(StyleGanConfig config, int maxRows) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be >= 1, got " + maxRows);
        }
        this.config = config;
        this.arch = config.architecture();
        this.g = new StyleGenerator(arch, new Params(arch.generatorParams()), maxRows);
        this.z = new float[2 * maxRows * arch.latentDim()];
        this.wAvg = Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, arch.latentDim());
    }

    /** The z of sample {@code index} under {@code seed}: a function of the two alone. */
    static void latent(long seed, long index, float[] out, int offset, int latentDim) {
        new Rng(Seeds.derive(seed, index)).fillGaussian(out, offset, latentDim);
    }

    /** NCHW images in [-1, 1] (clipped), one per index. */
    public float[] generate(TrainingState state, long seed, long[] indices, StyleGanSampling spec) {
        g.params().load(state.get(StyleGanTrainer.G_EMA));
        HostArrays.load(wAvg, state.get(StyleGanTrainer.W_AVG));
        float[] noiseConst = state.get(StyleGanTrainer.NOISE_CONST);
        int size = config.imageFloats();
        int d = arch.latentDim();
        float[] out = new float[indices.length * size];
        int batch = g.maxRows();
        Tensor[] noise = g.noiseInputs();
        for (int start = 0; start < indices.length; start += batch) {
            int n = Math.min(batch, indices.length - start);
            for (int r = 0; r < n; r++) {
                latent(seed, indices[start + r], z, r * d, d);
                if (spec.mixSeed() != null) {
                    latent(spec.mixSeed(), indices[start + r], z, (n + r) * d, d);
                }
            }
            int rows = spec.mixSeed() != null ? 2 * n : n;
            HostArrays.load(g.z().rows(2 * batch).reshape(2L * batch * d), z);
            INDArray w = g.map(rows).matrix(rows);
            if (spec.truncation() != 1.0) {
                // w_avg + psi (w - w_avg) = psi w + (1 - psi) w_avg
                w.muli(spec.truncation());
                Nd4j.exec(new AddOp(w, wAvg.mul(1.0 - spec.truncation()), w));
            }
            for (int l = 0; l < arch.numWs(); l++) {
                int first = spec.mixes(l) ? n : 0;
                g.wInput(l).matrix(n).assign(w.get(NDArrayIndex.interval(first, first + n), NDArrayIndex.all()));
            }
            fillNoise(noise, noiseConst, spec.noise(), seed, indices, start, n);
            Tensor images = g.synthesize(n);
            INDArray clipped = images.rows(n);
            Transforms.min(clipped, 1.0, false);
            Transforms.max(clipped, -1.0, false);
            HostArrays.store(clipped.reshape((long) n * size), out, start * size);
        }
        return out;
    }

    private void fillNoise(Tensor[] maps, float[] noiseConst, StyleGanSampling.Noise mode, long seed, long[] indices,
                           int start, int n) {
        int offset = 0;
        for (Tensor map : maps) {
            int pixels = map.rowSize();
            INDArray rows = map.rows(n);
            rows.assign(0);
            if (mode == StyleGanSampling.Noise.CONST) {
                float[] one = new float[pixels];
                System.arraycopy(noiseConst, offset, one, 0, pixels);
                Nd4j.exec(new AddOp(rows, HostArrays.of(one, 1, pixels).reshape(map.rowShape().length == 3
                        ? new long[]{1, map.rowShape()[0], map.rowShape()[1], 1} : new long[]{1, pixels}), rows));
            } else if (mode == StyleGanSampling.Noise.RANDOM) {
                float[] values = new float[n * pixels];
                for (int r = 0; r < n; r++) {
                    // One stream per (seed, sample, layer offset): any batching gives the same maps.
                    new Rng(Seeds.derive(seed, indices[start + r], PURPOSE_NOISE, offset)).fillGaussian(values, r * pixels, pixels);
                }
                HostArrays.load(rows.reshape((long) n * pixels), values);
            }
            offset += pixels;
        }
    }
}
