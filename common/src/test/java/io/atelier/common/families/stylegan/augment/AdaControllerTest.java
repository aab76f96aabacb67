package io.atelier.common.families.stylegan.augment;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdaControllerTest {
    private final AdaController ada = new AdaController();

    @Test
    void pRisesWhileRtStaysAboveTheTargetAndReachesOneAfter500kImages() {
        double p = 0;
        double last = p;
        for (int round = 0; round < 250; round++) {
            p = ada.next(p, 0.9, 1280);
            assertTrue(p > last || p == 1, "p did not rise at round " + round + ": " + p);
            last = p;
        }
        assertEquals(250 * 1280 / 500_000.0, p, 1e-12, "p after 320k images");
        for (int round = 0; round < 200; round++) {
            p = ada.next(p, 0.9, 1280);
        }
        assertEquals(1.0, p, 0, "p is clamped at 1");
    }

    @Test
    void pFallsBelowTheTargetAndStaysAtZero() {
        assertEquals(0.5 - 64_000 / 500_000.0, ada.next(0.5, 0.2, 64_000), 1e-12);
        assertEquals(0.0, ada.next(0.01, -0.4, 64_000), 0);
        assertEquals(0.0, ada.next(0.0, 0.59, 1_000_000), 0);
        assertEquals(0.3, ada.next(0.3, 0.6, 64_000), 0, "r_t on target leaves p alone");
        assertEquals(0.3, ada.next(0.3, 1.0, 0), 0, "no images, no change");
    }

    @Test
    void badArgumentsFailInOneLine() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ada.next(1.2, 0.5, 10)).getMessage().contains("got 1.2"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ada.next(0.5, Double.NaN, 10)).getMessage().contains("r_t"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new AdaController(1.5, 10)).getMessage().contains("got 1.5"));
    }
}
