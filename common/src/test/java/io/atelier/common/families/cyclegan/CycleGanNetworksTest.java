package io.atelier.common.families.cyclegan;

import io.atelier.common.nn.HostArrays;
import io.atelier.common.nn.HostViews;
import io.atelier.common.nn.Params;
import io.atelier.common.nn.Rng;
import io.atelier.common.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shapes, sizes, sharing and settings errors of CycleGAN's generator and PatchGAN discriminator. */
class CycleGanNetworksTest {

    @Test
    void networksMapImagesToImagesAndPatchLogitsAt28And32Pixels() {
        // 28 px grey: maps 28 -> 14 -> 7 in the generator; D halves twice (14, 7), then 6, 5.
        checkShapes(28, 1, 5);
        // 32 px RGB: 32 -> 16 -> 8; D 16, 8, then 7, 6.
        checkShapes(32, 3, 6);
    }

    private static void checkShapes(int side, int channels, int patch) {
        CycleGanArchitecture arch = new CycleGanArchitecture(side, channels, 4,
                CycleGanArchitecture.defaultResidualBlocks(side), 4, CycleGanArchitecture.defaultDiscriminatorLayers(side));
        assertEquals(patch, arch.patchSide(), side + " px patch side");
        Params gp = new Params(arch.generatorParams());
        // Weights far larger than the initial ones push the output against tanh's bounds.
        gp.load(scaled(arch.generatorParams().initialValues(new Rng(1)), 50f));
        ResnetGenerator g = new ResnetGenerator(arch, gp, 3);
        fill(g.input(), 3, 2, 3f);
        Tensor out = g.forward(3);
        assertArrayEquals(new long[]{side, side, channels}, out.rowShape(), side + " px generator output shape");
        float[] images = HostArrays.toArray(out.rows(3));
        float max = 0;
        for (float v : images) {
            assertTrue(v >= -1f && v <= 1f, "generator output " + v + " outside [-1, 1]");
            max = Math.max(max, Math.abs(v));
        }
        assertTrue(max > 0.9f, "the check should reach near the bounds, max |y| was " + max);

        Params dp = new Params(arch.discriminatorParams());
        dp.load(arch.discriminatorParams().initialValues(new Rng(3)));
        PatchDiscriminator d = new PatchDiscriminator(arch, dp, 3);
        d.input().rows(3).assign(out.rows(3));
        Tensor logits = d.forward(3);
        assertArrayEquals(new long[]{patch, patch, 1}, logits.rowShape(), side + " px logit map shape");
        for (float v : HostArrays.toArray(logits.rows(3))) {
            assertFalse(Float.isNaN(v), "NaN logit");
        }
    }

    @Test
    void patchSideAndReceptiveFieldFollowTheLayerArithmetic() {
        // 32 px, 2 layers: sides 32 -> 16 -> 8 (k4 s2 p1 halves), then 7 -> 6 (k4 s1 p1 takes one off).
        // Receptive field from the logit back: 1 -> 4 -> 7 (two stride-1 4x4), -> (7-1)*2+4 = 16 -> (16-1)*2+4 = 34.
        CycleGanArchitecture small = new CycleGanArchitecture(32, 3, 8, 6, 8, 2);
        assertEquals(6, small.patchSide());
        assertEquals(34, small.receptiveField());
        // 64 px, 3 layers: 64 -> 32 -> 16 -> 8, then 7 -> 6; receptive field 34 -> (34-1)*2+4 = 70 (the 70x70 PatchGAN).
        CycleGanArchitecture medium = new CycleGanArchitecture(64, 3, 8, 6, 8, 3);
        assertEquals(6, medium.patchSide());
        assertEquals(70, medium.receptiveField());
        // And PyTorch's 256 px setting: 256 / 8 = 32, then 31, 30: the 30x30 map.
        assertEquals(30, new CycleGanArchitecture(256, 3, 8, 9, 8, 3).patchSide());
    }

    @Test
    void multiplyAddsPerImageMatchAHandCount() {
        // 8x8 RGB, ngf = ndf = 2, 1 residual block, 1 discriminator layer.
        // Generator (convolutions: out side^2 x in x out x k^2; transposed: in side^2 x in x out x k^2):
        //   stem 7x7 on the padded 14x14 -> 8x8, 3 -> 2:   64 x 3 x 2 x 49 = 18,816
        //   down1 3x3 s2 -> 4x4, 2 -> 4:                     16 x 2 x 4 x 9  =  1,152
        //   down2 3x3 s2 -> 2x2, 4 -> 8:                     4 x 4 x 8 x 9   =  1,152
        //   block: two 3x3 on the padded 4x4 -> 2x2, 8 -> 8: 2 x 4 x 8 x 8 x 9 = 4,608
        //   up1 transposed 4x4 s2 from 2x2, 8 -> 4:          4 x 8 x 4 x 16  =  2,048
        //   up2 transposed 4x4 s2 from 4x4, 4 -> 2:          16 x 4 x 2 x 16 =  2,048
        //   out 7x7 on the padded 14x14 -> 8x8, 2 -> 3:      64 x 2 x 3 x 49 = 18,816   total 48,640
        // Discriminator (4x4 kernels, padding 1):
        //   conv0 s2 8 -> 4, 3 -> 2:  16 x 3 x 2 x 16 = 1,536
        //   conv1 s1 4 -> 3, 2 -> 4:  9 x 2 x 4 x 16  = 1,152
        //   head  s1 3 -> 2, 4 -> 1:  4 x 4 x 1 x 16  =   256                          total 2,944
        CycleGanArchitecture tiny = new CycleGanArchitecture(8, 3, 2, 1, 2, 1);
        assertEquals(48_640L, tiny.generatorMacsPerImage(), "generator multiply-adds");
        assertEquals(2_944L, tiny.discriminatorMacsPerImage(), "discriminator multiply-adds");
        // 16x16 RGB, ndf 2, 2 layers (a stride-2 inner layer): conv0 16 -> 8, 3 -> 2: 64 x 3 x 2 x 16 = 6,144;
        // conv1 s2 8 -> 4, 2 -> 4: 16 x 2 x 4 x 16 = 2,048; conv2 s1 4 -> 3, 4 -> 8: 9 x 4 x 8 x 16 = 4,608;
        // head 3 -> 2, 8 -> 1: 4 x 8 x 16 = 512; total 13,312.
        assertEquals(13_312L, new CycleGanArchitecture(16, 3, 2, 0, 2, 2).discriminatorMacsPerImage(),
                "discriminator multiply-adds with a stride-2 inner layer");
    }

    @Test
    void defaultsFollowTheImageSize() {
        assertEquals(2, CycleGanArchitecture.defaultDiscriminatorLayers(28));
        assertEquals(2, CycleGanArchitecture.defaultDiscriminatorLayers(32));
        assertEquals(3, CycleGanArchitecture.defaultDiscriminatorLayers(64));
        assertEquals(6, CycleGanArchitecture.defaultResidualBlocks(32));
        assertEquals(6, CycleGanArchitecture.defaultResidualBlocks(128));
        assertEquals(9, CycleGanArchitecture.defaultResidualBlocks(256));
    }

    @Test
    void defaultNetworksHaveTheDocumentedParameterCounts() {
        CycleGanArchitecture arch = new CycleGanArchitecture(32, 3, 32, CycleGanArchitecture.defaultResidualBlocks(32), 32,
                CycleGanArchitecture.defaultDiscriminatorLayers(32));
        // Generator, weights + biases (+ 2 C for each instance norm):
        // stem 3->32 7x7: 4704 + 32 + 64 = 4800; down 32->64 3x3: 18432 + 64 + 128 = 18624;
        // down 64->128 3x3: 73728 + 128 + 256 = 74112; 6 blocks of 2 x (147456 + 128 + 256) = 1774080;
        // up 128->64 4x4: 131072 + 64 + 128 = 131264; up 64->32 4x4: 32768 + 32 + 64 = 32864;
        // out 32->3 7x7: 4704 + 3 = 4707. Sum 2040451.
        assertEquals(2_040_451, arch.generatorParams().size(), "generator parameters");
        // Discriminator: conv0 3->32: 1536 + 32 = 1568; conv1 32->64: 32768 + 64 + 128 = 32960;
        // conv2 64->128 (stride 1): 131072 + 128 + 256 = 131456; head 128->1: 2048 + 1 = 2049. Sum 168033.
        assertEquals(168_033, arch.discriminatorParams().size(), "discriminator parameters");
    }

    @Test
    void twoGeneratorsOverOneParamsComputeTheSameFunctionAndOverwriteTheGradients() {
        CycleGanArchitecture arch = new CycleGanArchitecture(12, 3, 4, 2, 4, 2);
        Params params = new Params(arch.generatorParams());
        params.load(arch.generatorParams().initialValues(new Rng(5)));
        ResnetGenerator a = new ResnetGenerator(arch, params, 2);
        ResnetGenerator b = new ResnetGenerator(arch, params, 4);
        fill(a.input(), 2, 6, 1f);
        b.input().rows(2).assign(a.input().rows(2));
        assertArrayEquals(HostArrays.toArray(a.forward(2).rows(2)), HostArrays.toArray(b.forward(2).rows(2).dup()),
                "outputs of two instances over one Params");
        // A change to the shared parameters reaches both.
        params.value("out.bias").addi(0.25f);
        float[] ya = HostArrays.toArray(a.forward(2).rows(2));
        assertArrayEquals(ya, HostArrays.toArray(b.forward(2).rows(2).dup()), "outputs after a parameter change");
        Tensor gy = new Tensor(4, 12, 12, 3);
        fill(gy, 4, 7, 1f);
        a.backward(gy, 2, false);
        float[] ga = HostArrays.toArray(params.grads());
        b.backward(gy, 2, false);
        assertArrayEquals(ga, HostArrays.toArray(params.grads()), "a second backward pass overwrites, it does not add");
        assertTrue(params.gradNorm() > 0, "gradients were written");
    }

    @Test
    void badSettingsFailInOneLineNamingTheSetting() {
        expect("imageSize", () -> new CycleGanArchitecture(30, 3, 32, 6, 32, 2));
        expect("imageSize", () -> new CycleGanArchitecture(4, 3, 32, 6, 32, 1));
        expect("channels", () -> new CycleGanArchitecture(32, 0, 32, 6, 32, 2));
        expect("generatorWidth", () -> new CycleGanArchitecture(32, 3, 0, 6, 32, 2));
        expect("residualBlocks", () -> new CycleGanArchitecture(32, 3, 32, -1, 32, 2));
        expect("discriminatorWidth", () -> new CycleGanArchitecture(32, 3, 32, 6, 0, 2));
        expect("discriminatorLayers", () -> new CycleGanArchitecture(32, 3, 32, 6, 32, 0));
        // 32 -> 16 -> 8 -> 4 -> 2 leaves 0 after the two stride-1 layers; 3 layers is the most.
        String msg = expect("discriminatorLayers", () -> new CycleGanArchitecture(32, 3, 32, 6, 32, 4));
        assertTrue(msg.contains("at most 3"), msg);
        CycleGanArchitecture arch = new CycleGanArchitecture(32, 3, 8, 1, 8, 2);
        expect("generatorParams", () -> new ResnetGenerator(arch, new Params(arch.discriminatorParams()), 1));
        expect("discriminatorParams", () -> new PatchDiscriminator(arch, new Params(arch.generatorParams()), 1));
    }

    @Test
    void architectureSurvivesJavaSerialization() throws Exception {
        CycleGanArchitecture arch = new CycleGanArchitecture(64, 3, 16, 6, 16, 3);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(arch);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(arch, in.readObject());
        }
    }

    private static String expect(String setting, Executable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build, setting);
        assertTrue(e.getMessage().contains(setting), "message should name " + setting + ": " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    private static void fill(Tensor t, int rows, long seed, float scale) {
        Rng rng = new Rng(seed);
        float[] v = new float[rows * t.rowSize()];
        for (int i = 0; i < v.length; i++) {
            v[i] = scale * (float) rng.nextGaussian();
        }
        HostViews.floats(t).put(0, v);
    }

    private static float[] scaled(float[] v, float factor) {
        for (int i = 0; i < v.length; i++) {
            v[i] *= factor;
        }
        return v;
    }
}
