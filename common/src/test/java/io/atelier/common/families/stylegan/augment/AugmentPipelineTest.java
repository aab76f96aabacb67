package io.atelier.common.families.stylegan.augment;

import io.atelier.common.compute.NativeThreads;
import io.atelier.common.nn.HostArrays;
import io.atelier.common.nn.Rng;
import io.atelier.common.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AugmentPipelineTest {

    @Test
    void pZeroGivesTheInputBitForBit() {
        for (int c : new int[]{3, 1}) {
            float[] x = images(4, 12, 10, c, 1);
            AugmentPipeline pipe = new AugmentPipeline(4, 12, 10, c);
            float[] y = HostArrays.toArray(pipe.apply(tensor(x, 4, 12, 10, c), 4, 0.0, 77).rows(4));
            assertArrayEquals(x, y, "p = 0 must copy the input exactly (c = " + c + ")");
            float[] g = images(4, 12, 10, c, 2);
            assertArrayEquals(g, HostArrays.toArray(pipe.backward(tensor(g, 4, 12, 10, c), 4).rows(4)));
        }
    }

    @Test
    void aSeedFixesTheAugmentationAndAnotherSeedChangesIt() {
        float[] x = images(3, 8, 8, 3, 3);
        float[] a = HostArrays.toArray(new AugmentPipeline(3, 8, 8, 3).apply(tensor(x, 3, 8, 8, 3), 3, 0.7, 5).rows(3));
        float[] b = HostArrays.toArray(new AugmentPipeline(3, 8, 8, 3).apply(tensor(x, 3, 8, 8, 3), 3, 0.7, 5).rows(3));
        float[] other = HostArrays.toArray(new AugmentPipeline(3, 8, 8, 3).apply(tensor(x, 3, 8, 8, 3), 3, 0.7, 6).rows(3));
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, other), "seeds 5 and 6 drew the same augmentation");
        assertFalse(Arrays.equals(a, x), "p = 0.7 changed nothing");
    }

    @Test
    void imageIDependsOnlyOnTheSeedAndItsIndexNotTheBatchSize() {
        float[] x = images(4, 8, 8, 3, 4);
        AugmentPipeline pipe = new AugmentPipeline(4, 8, 8, 3);
        float[] four = HostArrays.toArray(pipe.apply(tensor(x, 4, 8, 8, 3), 4, 1.0, 9).rows(4));
        float[] two = HostArrays.toArray(pipe.apply(tensor(x, 4, 8, 8, 3), 2, 1.0, 9).rows(2));
        assertArrayEquals(Arrays.copyOf(four, two.length), two);
    }

    @Test
    void blitTransformsMoveWholePixelsExactly() {
        int n = 6;
        float[] x = images(n, 8, 8, 3, 5);
        Set<Transform> blit = Transform.of(Transform.Group.BLIT);
        AugmentPipeline pipe = new AugmentPipeline(n, 8, 8, 3, blit);
        AugmentDraws draws = AugmentDraws.draw(blit, n, 1.0, 11, 8, 8);
        float[] y = HostArrays.toArray(pipe.apply(tensor(x, n, 8, 8, 3), n, draws).rows(n));
        for (int i = 0; i < n; i++) {
            double[] m = draws.geometry(i);
            for (int py = 0; py < 8; py++) {
                for (int px = 0; px < 8; px++) {
                    double sx = m[0] * px + m[1] * py + m[2];
                    double sy = m[3] * px + m[4] * py + m[5];
                    assertEquals(Math.rint(sx), sx, 0, "blit source not a whole pixel");
                    int from = ((i * 8 + reflect((int) sy, 8)) * 8 + reflect((int) sx, 8)) * 3;
                    int to = ((i * 8 + py) * 8 + px) * 3;
                    for (int ch = 0; ch < 3; ch++) {
                        assertEquals(x[from + ch], y[to + ch], 0, "image " + i + " pixel " + px + "," + py);
                    }
                }
            }
        }
    }

    @Test
    void xflipAtPOneMirrorsTheImagesItDrewAFlipFor() {
        int n = 8;
        float[] x = images(n, 6, 5, 1, 6);
        Set<Transform> flip = EnumSet.of(Transform.XFLIP);
        AugmentDraws draws = AugmentDraws.draw(flip, n, 1.0, 3, 6, 5);
        float[] y = HostArrays.toArray(new AugmentPipeline(n, 6, 5, 1, flip).apply(tensor(x, n, 6, 5, 1), n, draws).rows(n));
        int flipped = 0;
        for (int i = 0; i < n; i++) {
            boolean mirrored = draws.geometry(i)[0] == -1;
            flipped += mirrored ? 1 : 0;
            for (int py = 0; py < 6; py++) {
                for (int px = 0; px < 5; px++) {
                    int src = (i * 6 + py) * 5 + (mirrored ? 4 - px : px);
                    assertEquals(x[src], y[(i * 6 + py) * 5 + px], 0);
                }
            }
        }
        assertTrue(flipped > 0 && flipped < n, "seed 3 should flip some of 8 images, flipped " + flipped);
    }

    @Test
    void everyTransformMatchesAPerPixelReference() {
        int n = 5;
        for (int c : new int[]{3, 1}) {
            float[] x = images(n, 9, 7, c, 7);
            AugmentDraws draws = AugmentDraws.draw(Transform.all(), n, 1.0, 21, 9, 7);
            float[] y = HostArrays.toArray(new AugmentPipeline(n, 9, 7, c).apply(tensor(x, n, 9, 7, c), n, draws).rows(n));
            float[] expected = reference(x, draws, n, 9, 7, c);
            for (int k = 0; k < y.length; k++) {
                assertEquals(expected[k], y[k], 1e-4, "c = " + c + ", value " + k);
            }
        }
    }

    @Test
    void imagesNoTransformWasDrawnForStayBitForBit() {
        int n = 16;
        float[] x = images(n, 10, 10, 3, 12);
        AugmentDraws draws = AugmentDraws.draw(Transform.all(), n, 0.1, 13, 10, 10);
        float[] y = HostArrays.toArray(new AugmentPipeline(n, 10, 10, 3).apply(tensor(x, n, 10, 10, 3), n, draws).rows(n));
        int untouched = 0;
        int changed = 0;
        int image = 10 * 10 * 3;
        for (int i = 0; i < n; i++) {
            boolean any = false;
            for (Transform t : Transform.values()) {
                any |= draws.applied(t, i);
            }
            float[] in = Arrays.copyOfRange(x, i * image, (i + 1) * image);
            float[] out = Arrays.copyOfRange(y, i * image, (i + 1) * image);
            if (!any) {
                untouched++;
                assertArrayEquals(in, out, "image " + i + " drew nothing but changed");
            } else {
                changed += Arrays.equals(in, out) ? 0 : 1;
            }
        }
        assertTrue(untouched > 0 && changed > 0, "seed 13 at p = 0.1: " + untouched + " of 16 images untouched, " + changed + " changed");
    }

    @Test
    void forwardAndBackwardAreBitIdenticalForAnyNativeThreadCount() {
        int n = 32;
        float[] x = images(n, 16, 16, 3, 14);
        float[] g = images(n, 16, 16, 3, 15);
        int before = NativeThreads.get();
        try {
            float[] reference = null;
            for (int threads : new int[]{1, 3, 2}) {
                NativeThreads.set(threads);
                AugmentPipeline pipe = new AugmentPipeline(n, 16, 16, 3);
                float[] y = HostArrays.toArray(pipe.apply(tensor(x, n, 16, 16, 3), n, 1.0, 16).rows(n));
                float[] gx = HostArrays.toArray(pipe.backward(tensor(g, n, 16, 16, 3), n).rows(n));
                float[] both = Arrays.copyOf(y, y.length + gx.length);
                System.arraycopy(gx, 0, both, y.length, gx.length);
                if (reference == null) {
                    reference = both;
                } else {
                    assertArrayEquals(reference, both, threads + " native threads differ from 1");
                }
            }
        } finally {
            NativeThreads.set(before);
        }
    }

    @ParameterizedTest
    @EnumSource(Transform.class)
    void backwardMatchesFiniteDifferences(Transform t) {
        int n = 4;
        int h = 8;
        int w = 8;
        int c = t.group() == Transform.Group.COLOR ? 3 : 1;
        Set<Transform> only = EnumSet.of(t);
        AugmentPipeline pipe = new AugmentPipeline(n, h, w, c, only);
        AugmentDraws draws = AugmentDraws.draw(only, n, 1.0, 8, h, w);
        float[] x = images(n, h, w, c, 9);
        float[] g = images(n, h, w, c, 10);
        Tensor in = tensor(x, n, h, w, c);
        float[] y = HostArrays.toArray(pipe.apply(in, n, draws).rows(n));
        assertFalse(Arrays.equals(x, y), t + " at p = 1 left all " + n + " images as they were");
        float[] grad = HostArrays.toArray(pipe.backward(tensor(g, n, h, w, c), n).rows(n));
        Rng pick = new Rng(t.ordinal());
        double eps = 0.05;
        for (int trial = 0; trial < 12; trial++) {
            int k = pick.nextInt(x.length);
            float[] plus = x.clone();
            float[] minus = x.clone();
            plus[k] += (float) eps;
            minus[k] -= (float) eps;
            double fd = (dot(g, HostArrays.toArray(pipe.apply(tensor(plus, n, h, w, c), n, draws).rows(n)))
                    - dot(g, HostArrays.toArray(pipe.apply(tensor(minus, n, h, w, c), n, draws).rows(n)))) / (2 * eps);
            assertEquals(fd, grad[k], 2e-3 * Math.max(1, Math.abs(fd)), t + ": d<g, f(x)>/dx[" + k + "]");
        }
        // The adjoint over everything at once: <f(x) - f(0), g> = <x, f'^T g> (f is affine in x).
        float[] y0 = HostArrays.toArray(pipe.apply(tensor(new float[x.length], n, h, w, c), n, draws).rows(n));
        double lhs = dot(g, y) - dot(g, y0);
        assertEquals(lhs, dot(x, grad), 1e-3 * Math.max(1, Math.abs(lhs)), t + ": adjoint identity");
    }

    @Test
    void greyImagesSkipHueAndSaturationAsNvlabsDoes() {
        Set<Transform> grey = new AugmentPipeline(2, 8, 8, 1).enabled();
        assertFalse(grey.contains(Transform.HUE) || grey.contains(Transform.SATURATION), grey.toString());
        assertEquals(10, grey.size());
        assertEquals(Transform.all(), new AugmentPipeline(2, 8, 8, 3).enabled());
        // Hue and saturation alone leave a grey batch exactly as it was, even at p = 1.
        float[] x = images(3, 8, 8, 1, 17);
        AugmentPipeline pipe = new AugmentPipeline(3, 8, 8, 1, EnumSet.of(Transform.HUE, Transform.SATURATION));
        assertArrayEquals(x, HostArrays.toArray(pipe.apply(tensor(x, 3, 8, 8, 1), 3, 1.0, 4).rows(3)));
    }

    @Test
    void badShapesAndCallsFailInOneLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AugmentPipeline(2, 8, 8, 4));
        assertTrue(e.getMessage().contains("1 (grey) or 3 (RGB) channels, got 4"), e.getMessage());
        AugmentPipeline pipe = new AugmentPipeline(2, 8, 8, 3);
        e = assertThrows(IllegalArgumentException.class, () -> pipe.apply(new Tensor(2, 8, 8, 1), 2, 0.5, 1));
        assertTrue(e.getMessage().contains("8x8x3"), e.getMessage());
        pipe.apply(new Tensor(2, 8, 8, 3), 2, 0.5, 1);
        e = assertThrows(IllegalArgumentException.class, () -> pipe.backward(new Tensor(2, 8, 8, 3), 1));
        assertTrue(e.getMessage().contains("the last apply had 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> pipe.apply(new Tensor(2, 8, 8, 3), 2, 1.5, 1));
        assertTrue(e.getMessage().contains("[0, 1], got 1.5"), e.getMessage());
    }

    /** Bilinear sampling with reflected neighbours, then the colour matrix, one pixel at a time. */
    static float[] reference(float[] x, AugmentDraws draws, int n, int h, int w, int c) {
        float[] out = new float[x.length];
        for (int i = 0; i < n; i++) {
            double[] m = draws.geometry(i);
            double[] col = draws.colour(i);
            for (int py = 0; py < h; py++) {
                for (int px = 0; px < w; px++) {
                    double sx = m[0] * px + m[1] * py + m[2];
                    double sy = m[3] * px + m[4] * py + m[5];
                    int x0 = (int) Math.floor(sx);
                    int y0 = (int) Math.floor(sy);
                    double fx = sx - x0;
                    double fy = sy - y0;
                    double[] v = new double[c];
                    for (int ch = 0; ch < c; ch++) {
                        v[ch] = (1 - fy) * ((1 - fx) * at(x, i, y0, x0, ch, h, w, c) + fx * at(x, i, y0, x0 + 1, ch, h, w, c))
                                + fy * ((1 - fx) * at(x, i, y0 + 1, x0, ch, h, w, c) + fx * at(x, i, y0 + 1, x0 + 1, ch, h, w, c));
                    }
                    int o = ((i * h + py) * w + px) * c;
                    if (c == 3) {
                        for (int r = 0; r < 3; r++) {
                            out[o + r] = (float) (col[r * 4] * v[0] + col[r * 4 + 1] * v[1] + col[r * 4 + 2] * v[2] + col[r * 4 + 3]);
                        }
                    } else {
                        double grey = 0;
                        for (int r = 0; r < 3; r++) {
                            grey += (col[r * 4] + col[r * 4 + 1] + col[r * 4 + 2]) * v[0] + col[r * 4 + 3];
                        }
                        out[o] = (float) (grey / 3);
                    }
                }
            }
        }
        return out;
    }

    private static double at(float[] x, int i, int y, int xx, int ch, int h, int w, int c) {
        return x[((i * h + reflect(y, h)) * w + reflect(xx, w)) * c + ch];
    }

    /** Index reflection without repeating the edge: ..., 2, 1, 0, 1, 2, ..., size - 1, size - 2, ... */
    static int reflect(int i, int size) {
        int period = 2 * (size - 1);
        int m = Math.floorMod(i, period);
        return m < size ? m : period - m;
    }

    static float[] images(int n, int h, int w, int c, long seed) {
        Rng r = new Rng(seed);
        float[] x = new float[n * h * w * c];
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) (2 * r.nextDouble() - 1);
        }
        return x;
    }

    static Tensor tensor(float[] x, int n, int h, int w, int c) {
        Tensor t = new Tensor(n, h, w, c);
        HostArrays.load(t.rows(n), x);
        return t;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += (double) a[k] * b[k];
        }
        return s;
    }
}
