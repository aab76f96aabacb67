package io.atelier.common.classify;

import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassifierNetworkTest {
    @Test
    void aThirdStageDoublesTheChannelsAgainAndPoolsTo3x3() {
        MultiLayerNetwork two = new MultiLayerNetwork(ClassifierNetwork.build(28, 1, 10, 8, 2, 1L, 1e-3));
        MultiLayerNetwork three = new MultiLayerNetwork(ClassifierNetwork.build(28, 1, 10, 8, 3, 1L, 1e-3));
        two.init();
        three.init();
        // The dense feature layer sees 7x7x16 after two stages and 3x3x32 after three.
        assertEquals(7 * 7 * 16, ((DenseLayer) two.getLayer(6).conf().getLayer()).getNIn());
        assertEquals(3 * 3 * 32, ((DenseLayer) three.getLayer(9).conf().getLayer()).getNIn());

        INDArray batch = Nd4j.rand(new int[]{5, 1, 28, 28});
        INDArray out = three.output(batch);
        assertArrayEquals(new long[]{5, 10}, out.shape());
        assertEquals(5.0, out.sumNumber().doubleValue(), 1e-4, "softmax rows sum to 1");
        assertEquals(ClassifierNetwork.FEATURES, three.feedForwardToLayer(9, batch).get(10).size(1), "feature width");
    }

    @Test
    void twoConvolutionsPerStageKeepTheShapesAndAddAConvolutionAndNormBeforeEachPooling() {
        MultiLayerNetwork one = new MultiLayerNetwork(ClassifierNetwork.build(28, 1, 10, 8, 3, 1, 1L, 1e-3));
        MultiLayerNetwork two = new MultiLayerNetwork(ClassifierNetwork.build(28, 1, 10, 8, 3, 2, 1L, 1e-3));
        one.init();
        two.init();
        assertEquals(one.getnLayers() + 3 * 2, two.getnLayers(), "a convolution and a batch norm more per stage");
        // Stage 1 of the two-convolution network: conv 1->8, norm, conv 8->8, norm, pool.
        assertEquals(8, ((ConvolutionLayer) two.getLayer(2).conf().getLayer()).getNIn());
        assertEquals(8, ((ConvolutionLayer) two.getLayer(2).conf().getLayer()).getNOut());
        assertTrue(two.getLayer(4).conf().getLayer() instanceof SubsamplingLayer, "pooling after the second norm");
        assertEquals(two.numParams() - one.numParams(), (8 * 8 * 9 + 8 + 4 * 8) + (16 * 16 * 9 + 16 + 4 * 16)
                + (32 * 32 * 9 + 32 + 4 * 32), "the added convolutions' and norms' parameters");
        INDArray out = two.output(Nd4j.rand(new int[]{3, 1, 28, 28}));
        assertArrayEquals(new long[]{3, 10}, out.shape());

        ClassifierOptions o = new ClassifierOptions("d", "m.zip", 2, 1, 64, 7L, 10, 1e-3, 8);
        assertEquals(1, o.convs(), "one convolution per stage unless asked");
        for (int bad : new int[]{0, ClassifierNetwork.MAX_CONVS + 1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> o.withConvs(bad));
            assertTrue(e.getMessage().startsWith("convs " + bad), e.getMessage());
        }
    }

    @Test
    void stageCountsOutsideTwoToThreeAreRefusedNamingTheOption() {
        ClassifierOptions o = new ClassifierOptions("d", "m.zip", 2, 1, 64, 7L, 10, 1e-3, 8);
        assertEquals(2, o.stages(), "default stages");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> o.withStages(4));
        assertTrue(e.getMessage().startsWith("stages 4"), e.getMessage());
        assertEquals(3, o.withStages(3).stages());
    }

    @Test
    void shiftsOutsideZeroToFourPixelsAreRefusedNamingTheOption() {
        ClassifierOptions o = new ClassifierOptions("d", "m.zip", 2, 1, 64, 7L, 10, 1e-3, 8);
        assertEquals(0, o.shift(), "no shift unless asked");
        assertEquals(2, o.withShift(2).shift());
        for (int bad : new int[]{-1, ClassifierOptions.MAX_SHIFT + 1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> o.withShift(bad));
            assertTrue(e.getMessage().startsWith("shift " + bad), e.getMessage());
        }
    }

    @Test
    void stageDropoutDropsOnlyWhileTrainingAndAddsNoParameters() {
        MultiLayerNetwork plain = new MultiLayerNetwork(ClassifierNetwork.build(28, 1, 10, 8, 3, 2, 1L, 1e-3));
        MultiLayerNetwork dropped = new MultiLayerNetwork(ClassifierNetwork.build(28, 1, 10, 8, 3, 2, 0.25, 1L, 1e-3));
        plain.init();
        dropped.init();
        assertEquals(plain.getnLayers() + 3, dropped.getnLayers(), "one dropout layer per stage");
        assertEquals(plain.numParams(), dropped.numParams(), "dropout has no parameters");
        assertTrue(dropped.getLayer(dropped.getnLayers() - 2).conf().getLayer() instanceof DenseLayer,
                "the feature layer stays the penultimate");

        // Same seed, same weights in the same order: inference is the plain network's exactly.
        dropped.setParams(plain.params());
        INDArray batch = Nd4j.rand(new int[]{4, 1, 28, 28});
        assertEquals(0.0, plain.output(batch).sub(dropped.output(batch)).amaxNumber().doubleValue(), 1e-6);
        // While training, a quarter of each stage's activations is zeroed: the feature layer's input changes.
        int afterLastStage = dropped.getnLayers() - 3;
        INDArray trainingMap = dropped.feedForwardToLayer(afterLastStage, batch, true).get(afterLastStage + 1);
        double zeros = trainingMap.eq(0).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).meanNumber().doubleValue();
        double inferenceZeros = dropped.feedForwardToLayer(afterLastStage, batch, false).get(afterLastStage + 1)
                .eq(0).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).meanNumber().doubleValue();
        assertTrue(zeros > inferenceZeros + 0.1, "training zeroes more: " + zeros + " vs " + inferenceZeros);

        ClassifierOptions o = new ClassifierOptions("d", "m.zip", 2, 1, 64, 7L, 10, 1e-3, 8);
        assertEquals(0.0, o.stageDropout(), "no stage dropout unless asked");
        for (double bad : new double[]{-0.1, ClassifierOptions.MAX_STAGE_DROPOUT + 0.1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> o.withStageDropout(bad));
            assertTrue(e.getMessage().startsWith("stageDropout " + bad), e.getMessage());
        }
    }
}
