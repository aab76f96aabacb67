package io.atelier.common.style;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Each loss on a map small enough to work out by hand (values in the comments). */
class StyleLossesTest {
    // One row of two positions, two channels: position 1 = (1, 2), position 2 = (3, 4).
    private static final INDArray MAP = Nd4j.createFromArray(new float[]{1, 2, 3, 4}).reshape(1, 1, 2, 2);

    @Test
    void gramIsChannelCorrelationPerPosition() {
        SameDiff sd = SameDiff.create();
        SDVariable g = StyleLosses.gram(sd, "g", sd.constant(MAP), 1, 2, 2);
        // F^T F = [[1*1 + 3*3, 1*2 + 3*4], [2*1 + 4*3, 2*2 + 4*4]] = [[10, 14], [14, 20]]; / 2 positions
        assertArrayEquals(new float[]{5, 7, 7, 10}, g.eval().reshape(4).toFloatVector(), 1e-6f);
    }

    @Test
    void styleLossIsMeanSquaredGramDifference() {
        SameDiff sd = SameDiff.create();
        SDVariable g = StyleLosses.gram(sd, "g", sd.constant(MAP), 1, 2, 2);
        SDVariable target = sd.constant(Nd4j.createFromArray(new float[][]{{5, 7}, {6, 8}}));
        // differences 0, 0, 1, 2 -> (0 + 0 + 1 + 4) / 4
        assertEquals(1.25, StyleLosses.styleLoss(sd, "s", g, target).eval().getDouble(0), 1e-6);
    }

    @Test
    void contentLossIsMeanSquaredFeatureDifference() {
        SameDiff sd = SameDiff.create();
        SDVariable loss = StyleLosses.contentLoss(sd, "c", sd.constant(MAP), sd.constant(Nd4j.onesLike(MAP)));
        // differences 0, 1, 2, 3 -> (0 + 1 + 4 + 9) / 4
        assertEquals(3.5, loss.eval().getDouble(0), 1e-6);
    }

    @Test
    void totalVariationAddsVerticalAndHorizontalMeans() {
        SameDiff sd = SameDiff.create();
        // One 2x2 channel [[0, 1], [2, 4]]: vertical (2-0)^2, (4-1)^2 -> 6.5; horizontal (1-0)^2, (4-2)^2 -> 2.5
        INDArray image = Nd4j.createFromArray(new float[]{0, 1, 2, 4}).reshape(1, 1, 2, 2);
        assertEquals(9.0, StyleLosses.totalVariation(sd, "tv", sd.constant(image), 2, 2).eval().getDouble(0), 1e-6);
    }
}
