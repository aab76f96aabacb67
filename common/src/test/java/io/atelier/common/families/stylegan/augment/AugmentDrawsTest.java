package io.atelier.common.families.stylegan.augment;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AugmentDrawsTest {
    private static final int N = 20_000;

    @Test
    void eachTransformAppliesToAShareOfAboutP() {
        double p = 0.3;
        AugmentDraws d = AugmentDraws.draw(Transform.all(), N, p, 42, 32, 32);
        double sigma = Math.sqrt(p * (1 - p) / N);
        for (Transform t : Transform.values()) {
            int count = 0;
            for (int i = 0; i < N; i++) {
                count += d.applied(t, i) ? 1 : 0;
            }
            assertEquals(p, count / (double) N, 5 * sigma, t + " applied to " + count + " of " + N);
        }
    }

    @Test
    void halfOfTheFlipsAppliedMirrorAsNvlabsDraws() {
        double p = 0.6;
        AugmentDraws d = AugmentDraws.draw(EnumSet.of(Transform.XFLIP), N, p, 1, 16, 16);
        int mirrored = 0;
        for (int i = 0; i < N; i++) {
            mirrored += d.geometry(i)[0] == -1 ? 1 : 0;
        }
        assertEquals(p / 2, mirrored / (double) N, 5 * Math.sqrt(0.3 * 0.7 / N), mirrored + " of " + N + " mirrored");
    }

    @Test
    void drawnParametersHaveNvlabsDistributions() {
        AugmentDraws scale = AugmentDraws.draw(EnumSet.of(Transform.SCALE), N, 1.0, 2, 32, 32);
        double sum = 0;
        double sq = 0;
        for (int i = 0; i < N; i++) {
            // The map is output -> source, so its diagonal is 1 / s with log2 s ~ N(0, 0.2^2).
            double log2s = -Math.log(scale.geometry(i)[0]) / Math.log(2);
            sum += log2s;
            sq += log2s * log2s;
        }
        assertEquals(0, sum / N, 0.01);
        assertEquals(0.2, Math.sqrt(sq / N), 0.01);

        AugmentDraws shift = AugmentDraws.draw(EnumSet.of(Transform.XINT), N, 1.0, 3, 32, 32);
        int largest = 0;
        for (int i = 0; i < N; i++) {
            double tx = shift.geometry(i)[2];
            assertEquals(Math.rint(tx), tx, 0, "integer translation drew " + tx);
            largest = Math.max(largest, (int) Math.abs(tx));
        }
        assertEquals(4, largest, "up to 1/8 of 32 pixels");
    }

    @Test
    void raisingPKeepsEveryTransformAlreadyDrawn() {
        AugmentDraws low = AugmentDraws.draw(Transform.all(), 2000, 0.2, 7, 16, 16);
        AugmentDraws high = AugmentDraws.draw(Transform.all(), 2000, 0.5, 7, 16, 16);
        for (int i = 0; i < 2000; i++) {
            for (Transform t : Transform.values()) {
                assertTrue(!low.applied(t, i) || high.applied(t, i), t + " of image " + i + " lost when p rose");
            }
        }
    }

    @Test
    void pZeroDrawsNothingAndPOneEverything() {
        AugmentDraws none = AugmentDraws.draw(Transform.all(), 500, 0.0, 5, 16, 16);
        assertTrue(none.geometryIsIdentity() && none.colourIsIdentity());
        AugmentDraws all = AugmentDraws.draw(Transform.all(), 500, 1.0, 5, 16, 16);
        assertFalse(all.geometryIsIdentity() || all.colourIsIdentity());
        for (int i = 0; i < 500; i++) {
            for (Transform t : Transform.values()) {
                assertTrue(all.applied(t, i), t + " not applied at p = 1");
            }
        }
    }
}
