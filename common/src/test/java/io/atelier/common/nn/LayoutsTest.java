package io.atelier.common.nn;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
        Tensor t = new Tensor(n, h, w, c);
        Layouts.nchwToNhwc(nchw, 0, t.floats(), 0, n, c, h, w);
        // Image 1, channel 2 (blue), row 1, column 0 sits at [1, 1, 0, 2] channels-last.
        int srcIndex = ((1 * c + 2) * h + 1) * w;
        int dstIndex = ((1 * h + 1) * w) * c + 2;
        assertEquals(nchw[srcIndex], t.floats().get(dstIndex), "NCHW -> NHWC element");
        float[] back = new float[nchw.length];
        Layouts.nhwcToNchw(t.floats(), back, 0, n, c, h, w);
        assertArrayEquals(nchw, back, "NHWC -> NCHW must undo NCHW -> NHWC");
    }
}
