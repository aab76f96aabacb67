package io.atelier.common.nn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayoutsTest {

    @Test
    void rgbImagesMoveChannelsLastAndBack() {
        int n = 2;
        int c = 3;
        int h = 2;
        int w = 3;
        float[] nchw = new float[n * c * h * w];
        for (int i = 0; i < nchw.length; i++) {
            nchw[i] = i;
        }
        // Leading rows of larger buffers, as the networks use them.
        Tensor nhwc = new Tensor(n + 1, h, w, c);
        Layouts.nchwToNhwc(HostArrays.of(nchw, n, c, h, w), nhwc.rows(n));
        float[] moved = HostArrays.toArray(nhwc.rows(n));
        // Image 1, channel 2 (blue), row 1, column 0 sits at [1, 1, 0, 2] channels-last.
        int srcIndex = ((1 * c + 2) * h + 1) * w;
        int dstIndex = ((1 * h + 1) * w) * c + 2;
        assertEquals(nchw[srcIndex], moved[dstIndex], "NCHW -> NHWC element");
        Tensor back = new Tensor(n + 1, c, h, w);
        float[] restored = HostArrays.toArray(Layouts.nhwcToNchw(nhwc.rows(n), back.rows(n)));
        assertArrayEquals(nchw, restored, "NHWC -> NCHW must undo NCHW -> NHWC");
    }

    @Test
    void mismatchedShapesAreRefusedByName() {
        Tensor nchw = new Tensor(2, 3, 4, 5);
        Tensor wrong = new Tensor(2, 4, 3, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Layouts.nchwToNhwc(nchw.rows(2), wrong.rows(2)));
        assertTrue(e.getMessage().contains("[2, 3, 4, 5]") && e.getMessage().contains("[2, 4, 3, 5]"), e.getMessage());
    }
}
