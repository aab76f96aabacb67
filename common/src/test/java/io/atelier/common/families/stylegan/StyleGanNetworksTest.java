package io.atelier.common.families.stylegan;

import io.atelier.common.nn.GradientChecks;
import io.atelier.common.nn.HostArrays;
import io.atelier.common.nn.HostViews;
import io.atelier.common.nn.Layer;
import io.atelier.common.nn.ParamLayout;
import io.atelier.common.nn.Params;
import io.atelier.common.nn.Rng;
import io.atelier.common.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;
import java.util.function.DoubleSupplier;

import static io.atelier.common.nn.GradientChecks.dot;
import static io.atelier.common.nn.GradientChecks.fill;
import static io.atelier.common.nn.GradientChecks.randomish;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generator, the discriminator, and the R1 and path-length gradients against finite differences on tiny networks. */
class StyleGanNetworksTest {
    private static final StyleGanArchitecture TINY = new StyleGanArchitecture(8, 3, 4, 2, 3);

    @Test
    void layerCountsAndParameterCountsFollowTheResolution() {
        assertEquals(4, TINY.numWs(), "8x8: conv 4, toRGB 4 / conv0 8, conv1 8, toRGB 8");
        StyleGanArchitecture fashion = new StyleGanArchitecture(32, 1, 128, 2, 64);
        assertEquals(8, fashion.numWs());
        assertEquals(10, new StyleGanArchitecture(64, 3, 128, 2, 64).numWs());
        // The defaults at 32x32 grey and 64x64 RGB (docs/stylegan.md quotes these): at 32, mapping 2 x (128^2 + 128),
        // const 4x4x64, seven 3x3 modulated layers of 45,185 and four toRGB of 8,321.
        assertEquals(383_627, fashion.generatorParams().size(), "G at 32x32x1");
        assertEquals(337_153, fashion.discriminatorParams().size(), "D at 32x32x1");
        StyleGanArchitecture emoji = new StyleGanArchitecture(64, 3, 128, 2, 64);
        assertEquals(482_968, emoji.generatorParams().size(), "G at 64x64x3");
        assertEquals(415_233, emoji.discriminatorParams().size(), "D at 64x64x3");
    }

    @Test
    void imageSizesThatAreNotPowersOfTwoFromEightAreRefusedInOneLine() {
        for (int size : new int[]{4, 12, 28, 48}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new StyleGanArchitecture(size, 1, 4, 1, 2));
            assertTrue(e.getMessage().contains(size + " px") && e.getMessage().contains("power of two")
                    && !e.getMessage().contains("\n"), e.getMessage());
        }
    }

    /** Mapping, per-layer w's and synthesis as one function of z: every parameter, the noise strengths included. */
    @Test
    void generatorGradientsMatchFiniteDifferences() {
        Params params = liveGeneratorParams(3);
        int n = 2;
        StyleGenerator g = new StyleGenerator(TINY, params, n);
        fill(HostViews.floats(g.z()), 2 * n * 4, 4, 1f, 0f);
        for (Tensor map : g.noiseInputs()) {
            fill(HostViews.floats(map), n * map.rowSize(), 5 + map.rowSize(), 1f, 0f);
        }
        float[] r = randomish(n * 8 * 8 * 3, 6, 1f, 0f);
        DoubleSupplier loss = () -> {
            Tensor w = g.map(n);
            for (int l = 0; l < TINY.numWs(); l++) {
                g.wInput(l).matrix(n).assign(w.matrix(n));
            }
            return dot(HostViews.floats(g.synthesize(n)), r);
        };
        loss.getAsDouble();
        Tensor gy = new Tensor(n, 8, 8, 3);
        HostViews.floats(gy).put(0, r);
        g.synthesisBackward(gy, n);
        Tensor gw = new Tensor(n, 4);
        for (int l = 0; l < TINY.numWs(); l++) {
            gw.matrix(n).addi(g.wGrad(l).matrix(n));
        }
        g.mapBackward(gw, n);
        float[] gp = HostArrays.toArray(params.grads());
        FloatBuffer values = HostViews.floats(params.values());
        GradientChecks check = new GradientChecks(5e-3f, 2e-3);
        check.compare("generator params", loss, values, gp, gp.length, 0);
        for (String name : new String[]{"syn.const", "syn.b4.conv1.weight", "syn.b4.torgb.affine.weight", "syn.b8.conv0.weight",
                "syn.b8.conv0.noise_strength", "syn.b8.torgb.bias"}) {
            ParamLayout.Entry e = params.layout().get(name);
            check.compare(name, loss, values, gp, e.offset() + e.length(), e.offset());
        }
        // The mapping's weights are stored 100x larger (lr multiplier 0.01): a step to match.
        ParamLayout.Entry map = params.layout().get("map.fc0.weight");
        new GradientChecks(0.5f, 2e-3).compare("mapping", loss, values, gp, map.offset() + map.length(), map.offset());
    }

    @Test
    void discriminatorGradientsMatchFiniteDifferencesInEveryMode() {
        Params params = new Params(TINY.discriminatorParams());
        params.load(TINY.discriminatorParams().initialValues(new Rng(7)));
        int n = 4;
        StyleDiscriminator d = new StyleDiscriminator(TINY, params, n);
        fill(HostViews.floats(d.input()), n * d.input().rowSize(), 8, 0.8f, 0f);
        float[] r = randomish(n, 9, 1f, 0f);
        DoubleSupplier loss = () -> dot(HostViews.floats(d.forward(n)), r);
        loss.getAsDouble();
        Tensor gy = new Tensor(n, 1);
        HostViews.floats(gy).put(0, r);
        float[] gx = HostArrays.toArray(d.backward(gy, n, Layer.Grads.ALL).rows(n));
        float[] gp = HostArrays.toArray(params.grads());
        GradientChecks check = new GradientChecks(5e-3f, 2e-3);
        check.compare("discriminator input", loss, HostViews.floats(d.input()), gx, gx.length, 0);
        check.compare("discriminator params", loss, HostViews.floats(params.values()), gp, gp.length, 0);
        params.grads().assign(7f);
        loss.getAsDouble();
        float[] gxOnly = HostArrays.toArray(d.backward(gy, n, Layer.Grads.INPUT).rows(n));
        org.junit.jupiter.api.Assertions.assertArrayEquals(gx, gxOnly, 1e-6f, "input-only pass");
        assertEquals(7f, params.grads().getDouble(0), "an input-only pass leaves the parameter gradients alone");
    }

    /**
     * The R1 parameter gradient by central differences of parameter gradients, against central
     * differences of the penalty value 0.5 |d sum D / dx|^2 itself in each checked parameter.
     */
    @Test
    void r1GradientMatchesFiniteDifferencesOfThePenalty() {
        Params params = new Params(TINY.discriminatorParams());
        params.load(TINY.discriminatorParams().initialValues(new Rng(17)));
        int n = 4;
        StyleDiscriminator d = new StyleDiscriminator(TINY, params, n);
        Tensor reals = new Tensor(n, 8, 8, 3);
        fill(HostViews.floats(reals), n * reals.rowSize(), 18, 0.8f, 0f);
        Tensor ones = new Tensor(n, 1);
        ones.matrix(n).assign(1);
        DoubleSupplier penalty = () -> {
            d.input().rows(n).assign(reals.rows(n));
            d.forward(n);
            double norm = d.backward(ones, n, Layer.Grads.ALL).rows(n).norm2Number().doubleValue();
            return 0.5 * norm * norm;
        };
        R1Penalty r1 = new R1Penalty(d, n);
        INDArray grad = params.grads().ulike();
        double squared = r1.gradient(reals, n, grad);
        assertEquals(2 * penalty.getAsDouble(), squared, 1e-6 * squared, "the returned |v|^2");
        float[] analytic = HostArrays.toArray(grad);
        double size = 0;
        for (float v : analytic) {
            size = Math.max(size, Math.abs(v));
        }
        assertTrue(size > 1e-3, "the R1 gradient is not trivially zero: max " + size);
        new GradientChecks(5e-3f, 2e-2 * size).compare("R1", penalty, HostViews.floats(params.values()), analytic,
                analytic.length, 0);
    }

    /**
     * The path-length parameter gradient (central differences of parameter gradients along w, plus
     * the mapping's share) against central differences of the penalty value itself, mean (|J^T y| - a')^2
     * with a' = a + 0.01 (mean |J^T y| - a), in every parameter: synthesis and
     * mapping. Two mixed latents per image (crossover at layer 2), so both halves of the mapping
     * batch get a share.
     */
    @Test
    void pathLengthGradientMatchesFiniteDifferencesOfThePenalty() {
        Params params = liveGeneratorParams(23);
        int n = 2;
        int cutoff = 2;
        StyleGenerator g = new StyleGenerator(TINY, params, n);
        fill(HostViews.floats(g.z()), 2 * n * 4, 24, 1f, 0f);
        for (Tensor map : g.noiseInputs()) {
            fill(HostViews.floats(map), n * map.rowSize(), 25 + map.rowSize(), 1f, 0f);
        }
        Tensor y = new Tensor(n, 8, 8, 3);
        fill(HostViews.floats(y), n * y.rowSize(), 26, 1f / 8, 0f);
        PathLengthPenalty pl = new PathLengthPenalty(g, TINY.numWs(), 4, n);
        Runnable setWs = () -> {
            Tensor w = g.map(2 * n);
            for (int l = 0; l < TINY.numWs(); l++) {
                g.wInput(l).matrix(n).assign(w.matrix(2 * n).get(
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(l < cutoff ? 0 : n, l < cutoff ? n : 2 * n),
                        org.nd4j.linalg.indexing.NDArrayIndex.all()));
            }
        };
        setWs.run();
        float[] len = pl.lengths(y, n);
        // A running mean below the lengths, so that the penalty and its gradient are far from 0.
        float a = 0.5f * (len[0] + len[1]) / 2;
        DoubleSupplier penalty = () -> {
            setWs.run();
            float[] l = pl.lengths(y, n);
            double mean = (l[0] + l[1]) / 2.0;
            float next = (float) (a + PathLengthPenalty.DECAY * (mean - a));
            return ((l[0] - next) * (double) (l[0] - next) + (l[1] - next) * (double) (l[1] - next)) / 2;
        };
        setWs.run();
        INDArray grad = params.grads().ulike();
        PathLengthPenalty.Result r = pl.gradient(y, n, cutoff, a, grad);
        assertEquals(penalty.getAsDouble(), r.penalty(), 1e-6 * r.penalty(), "the returned penalty");
        assertEquals(a + 0.01 * (r.meanLength() - a), r.plMean(), 1e-6, "pl_mean moves by 0.01 of the way to mean |J^T y|");
        assertTrue(r.plMean() > a && r.meanLength() > r.plMean(), "pl_mean moves towards the lengths: " + r);
        float[] analytic = HostArrays.toArray(grad);
        double size = 0;
        for (float v : analytic) {
            size = Math.max(size, Math.abs(v));
        }
        assertTrue(size > 1e-3, "the path-length gradient is not trivially zero: max " + size);
        FloatBuffer values = HostViews.floats(params.values());
        // The penalty is made of gradients: it jumps where a rectifier flips, so the step is smaller than R1's.
        GradientChecks check = new GradientChecks(1e-3f, 2e-2 * size);
        check.compare("path length", penalty, values, analytic, analytic.length, 0);
        for (String name : new String[]{"syn.const", "syn.b4.conv1.weight", "syn.b8.conv0.affine.weight", "syn.b8.conv1.weight",
                "syn.b8.torgb.weight"}) {
            ParamLayout.Entry e = params.layout().get(name);
            check.compare("path length " + name, penalty, values, analytic, e.offset() + e.length(), e.offset());
        }
        ParamLayout.Entry map = params.layout().get("map.fc0.weight");
        double mapSize = 0;
        for (int i = map.offset(); i < map.offset() + map.length(); i++) {
            mapSize = Math.max(mapSize, Math.abs(analytic[i]));
        }
        assertTrue(mapSize > 0, "the mapping network gets a share");
        new GradientChecks(0.1f, 2e-2 * mapSize).compare("path length mapping", penalty, values, analytic,
                map.offset() + map.length(), map.offset());
    }

    /**
     * TINY's generator parameters from {@code seed}, with noise strengths and synthesis biases away
     * from their zero initialisation so that their gradients are exercised.
     */
    private static Params liveGeneratorParams(int seed) {
        Params params = new Params(TINY.generatorParams());
        params.load(TINY.generatorParams().initialValues(new Rng(seed)));
        for (ParamLayout.Entry e : params.layout().entries()) {
            if (e.name().endsWith("noise_strength")) {
                params.value(e.name()).assign(0.5);
            } else if (e.name().endsWith(".bias") && e.name().startsWith("syn")) {
                params.value(e.name()).assign(0.1);
            }
        }
        return params;
    }
}
