package io.atelier.common.families.dcgan;

import io.atelier.common.bench.GanStepBenchmark;
import io.atelier.common.data.Manifest;
import io.atelier.common.nn.ParamLayout;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DcganConfigTest {

    private static Manifest manifest(int h, int w, int c, List<String> labels) {
        return new Manifest(Manifest.SCHEMA_VERSION, Manifest.FORMAT, "test", h, w, c, c == 1 ? "GRAY" : "BGR", 1,
                null, labels, null, null, null, null);
    }

    @Test
    void configIsSizedFromTheManifest() {
        List<String> digits = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        DcganConfig plain = DcganConfig.forManifest(manifest(28, 28, 1, digits), false);
        assertEquals(28, plain.imageSize());
        assertEquals(1, plain.channels());
        assertFalse(plain.conditional());
        assertEquals(0, plain.numClasses());

        DcganConfig conditional = DcganConfig.forManifest(manifest(64, 64, 3, digits), true);
        assertEquals(64, conditional.imageSize());
        assertEquals(3, conditional.channels());
        assertTrue(conditional.conditional());
        assertEquals(10, conditional.numClasses());
        assertEquals(100 + conditional.labelEmbedding(), conditional.generatorInput());
    }

    @Test
    void unsupportedGeometryIsRejectedWithTheReason() {
        IllegalArgumentException square = assertThrows(IllegalArgumentException.class,
                () -> DcganConfig.forManifest(manifest(32, 28, 1, List.of()), false));
        assertTrue(square.getMessage().contains("square"), square.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> DcganConfig.forManifest(manifest(48, 48, 3, List.of()), false));
        assertTrue(size.getMessage().contains("48"), size.getMessage());
        IllegalArgumentException labels = assertThrows(IllegalArgumentException.class,
                () -> DcganConfig.forManifest(manifest(32, 32, 3, List.of()), true));
        assertTrue(labels.getMessage().contains("label"), labels.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DcganConfig.defaults(28, 2));
        assertThrows(IllegalArgumentException.class, () -> DcganConfig.reference().withEmaDecay(1.5));
    }

    @Test
    void referenceNetworkHasThePyTorchLayersAndSizes() {
        DcganArchitecture arch = new DcganTrainer(DcganConfig.reference()).architecture();
        ParamLayout g = arch.generatorParams();
        assertArrayEquals(new long[]{6272, 100}, g.get("fc.weight").shape());
        assertArrayEquals(new long[]{6272}, g.get("fc_bn.weight").shape());
        assertArrayEquals(new long[]{128, 64, 4, 4}, g.get("up1.weight").shape());
        assertArrayEquals(new long[]{64}, g.get("up1_bn.weight").shape());
        assertArrayEquals(new long[]{64, 1, 4, 4}, g.get("out.weight").shape());
        assertFalse(g.has("up2.weight"));
        // nn.Linear(100, 6272) + BatchNorm1d + ConvTranspose2d(128, 64) + BatchNorm2d + ConvTranspose2d(64, 1)
        assertEquals(627_200 + 6_272 + 2 * 6_272 + 131_072 + 64 + 2 * 64 + 1_024 + 1, g.size());

        ParamLayout d = arch.discriminatorParams();
        assertArrayEquals(new long[]{64, 1, 4, 4}, d.get("conv0.weight").shape());
        assertArrayEquals(new long[]{128, 64, 4, 4}, d.get("conv1.weight").shape());
        assertArrayEquals(new long[]{1, 6272}, d.get("fc.weight").shape());
        assertFalse(d.has("conv0_bn.weight"), "the first discriminator layer has no batch norm");
        assertEquals(1_024 + 64 + 131_072 + 128 + 2 * 128 + 6_272 + 1, d.size());

        // Forward multiply-adds per sample: G 7.25 M, D 6.63 M; the step is 10.42 GFLOP at batch 64.
        assertEquals(100 * 6272 + 49 * 128 * 64 * 16 + 196 * 64 * 16, arch.generatorMacs());
        assertEquals(196 * 64 * 16 + 49 * 128 * 64 * 16 + 6272, arch.discriminatorMacs());
        assertEquals(10.42, GanStepBenchmark.stepGflop(arch, 64), 0.005);
    }

    @Test
    void largerImagesStartFromFourByFour() {
        DcganArchitecture a64 = new DcganTrainer(DcganConfig.defaults(64, 3)).architecture();
        assertEquals(4, a64.stages());
        assertArrayEquals(new long[]{512, 256, 4, 4}, a64.generatorParams().get("up1.weight").shape());
        assertArrayEquals(new long[]{64, 3, 4, 4}, a64.generatorParams().get("out.weight").shape());
        assertArrayEquals(new long[]{512, 256, 4, 4}, a64.discriminatorParams().get("conv3.weight").shape());
        assertEquals(512 * 16, a64.discriminatorFeatures());
        DcganArchitecture a32 = new DcganTrainer(DcganConfig.defaults(32, 1)).architecture();
        assertEquals(3, a32.stages());
        assertEquals(256 * 16, a32.generatorParams().get("fc.weight").shape()[0]);
    }
}
