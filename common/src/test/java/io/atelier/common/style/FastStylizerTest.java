package io.atelier.common.style;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FastStylizerTest {
    private static final TransformerNet.Config NET = new TransformerNet.Config(4, 1);

    private static FastStyleModel model() {
        Map<String, float[]> params = TransformerNet.initial(NET, 5);
        for (int i = 0; i < params.get("out/kernel").length; i++) {
            params.get("out/kernel")[i] *= 100; // far from the identity, so borders would show
        }
        return new FastStyleModel("s", "sha", NET, params, Map.of());
    }

    @Test
    void eachShapeRunsOnItsOwnGraphWithTheAnySizeGraphsPixels() {
        FastStyleModel model = model();
        FastStylizer stylizer = new FastStylizer(model, 64, false);
        SameDiff any = SameDiff.create();
        SDVariable in = any.placeHolder("x", DataType.FLOAT, -1, 3, -1, -1);
        String out = TransformerNet.build(any, in, NET, TransformerNet.constants(any, model.params())).name();

        long[][] shapes = {{1, 3, 32, 48}, {2, 3, 40, 24}, {1, 3, 32, 48}};
        for (long[] shape : shapes) {
            Nd4j.getRandom().setSeed(shape[2]);
            INDArray x = Nd4j.rand(DataType.FLOAT, shape);
            INDArray fast = stylizer.run(x);
            INDArray reference = any.output(Map.of("x", x), out).get(out);
            assertEquals(java.util.Arrays.toString(shape), java.util.Arrays.toString(fast.shape()));
            double diff = fast.sub(reference).amaxNumber().doubleValue();
            assertTrue(diff < 1e-5, "per-shape graph vs any-size graph at " + java.util.Arrays.toString(shape)
                    + ": largest difference " + diff);
            assertTrue(fast.sub(x).amaxNumber().doubleValue() > 1e-2, "the network changes the image");
        }
        assertEquals(2, stylizer.graphsBuilt(), "a repeated shape reuses its graph");
    }

    @Test
    void theLeastRecentlyUsedShapesGraphIsDroppedBeyondTheCache() {
        FastStylizer stylizer = new FastStylizer(model(), 64, false);
        INDArray first = stylizer.run(Nd4j.zeros(DataType.FLOAT, 1, 3, 8, 8).addi(0.5));
        for (int i = 1; i <= FastStylizer.GRAPHS + 2; i++) {
            stylizer.run(Nd4j.zeros(DataType.FLOAT, 1, 3, 8, 8 + 4 * i).addi(0.5));
        }
        assertEquals(FastStylizer.GRAPHS, stylizer.graphsBuilt(), "graphs kept");
        INDArray again = stylizer.run(Nd4j.zeros(DataType.FLOAT, 1, 3, 8, 8).addi(0.5));
        assertEquals(0.0, first.sub(again).amaxNumber().doubleValue(), 1e-6, "a rebuilt graph gives the same pixels");
    }
}
