package io.atelier.common.classify;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The native-op layers compute what DL4J's built-in layers compute, and keep their helpers through JSON. */
class NativeLayersTest {
    private static final int SIZE = 12;
    private static final int CLASSES = 4;

    @Test
    void theClassifierRunsEveryConvolutionBatchNormAndPoolingLayerNatively() {
        MultiLayerNetwork net = new MultiLayerNetwork(ClassifierNetwork.build(SIZE, 1, CLASSES, 6, 2, 3L, 1e-2));
        net.init();
        int attached = 0;
        for (Layer l : net.getLayers()) {
            org.deeplearning4j.nn.conf.layers.Layer conf = l.conf().getLayer();
            boolean expected = conf instanceof ConvolutionLayer || conf instanceof BatchNormalization
                    || conf instanceof SubsamplingLayer;
            assertEquals(expected, OneDnnHelpers.attached(l), "helper on layer " + l.getIndex() + " " + conf);
            attached += expected ? 1 : 0;
        }
        assertEquals(6, attached, "two stages of convolution, batch norm and pooling");
    }

    @Test
    void outputsGradientsAndTrainingStepsMatchDl4jsBuiltInLayers() {
        MultiLayerNetwork fast = new MultiLayerNetwork(network(true));
        MultiLayerNetwork reference = new MultiLayerNetwork(network(false));
        fast.init();
        reference.init();
        reference.setParams(fast.params().dup());
        assertFalse(OneDnnHelpers.attached(reference.getLayer(0)), "DL4J attaches no helper by itself");
        assertTrue(OneDnnHelpers.attached(fast.getLayer(0)));

        DataSet batch = batch(9, 11L);
        assertClose(reference.output(batch.getFeatures()), fast.output(batch.getFeatures()), 1e-5, "inference output");

        reference.setInput(batch.getFeatures());
        reference.setLabels(batch.getLabels());
        reference.computeGradientAndScore();
        fast.setInput(batch.getFeatures());
        fast.setLabels(batch.getLabels());
        fast.computeGradientAndScore();
        assertEquals(reference.score(), fast.score(), 1e-5, "training loss (batch statistics)");
        INDArray g = fast.gradient().gradient();
        assertTrue(g.norm2Number().doubleValue() > 1e-3, "a gradient to compare");
        assertClose(reference.gradient().gradient(), g, 1e-4, "gradient");

        // Plain SGD steps on new batches (Adam would turn float noise in near-zero gradients into
        // full-size steps), then inference on the running batch-norm statistics the steps updated.
        for (int step = 0; step < 5; step++) {
            DataSet b = batch(16, 20L + step);
            reference.fit(b);
            fast.fit(b);
        }
        assertTrue(fast.getParam("1_mean").amaxNumber().doubleValue() > 1e-3, "running mean moved");
        assertClose(reference.params(), fast.params(), 1e-4, "parameters after five steps");
        assertClose(reference.output(batch.getFeatures()), fast.output(batch.getFeatures()), 1e-4,
                "inference output after five steps");
    }

    @Test
    void aNetworkRebuiltFromItsJsonKeepsTheNativeLayers() {
        MultiLayerConfiguration conf = ClassifierNetwork.build(SIZE, 1, CLASSES, 4, 2, 3L, 1e-2);
        MultiLayerNetwork rebuilt = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(conf.toJson()));
        rebuilt.init();
        assertTrue(rebuilt.getLayer(0).conf().getLayer() instanceof NativeConvolution);
        assertTrue(OneDnnHelpers.attached(rebuilt.getLayer(0)), "convolution helper");
        assertTrue(OneDnnHelpers.attached(rebuilt.getLayer(1)), "batch-norm helper");
        assertTrue(OneDnnHelpers.attached(rebuilt.getLayer(2)), "pooling helper");
        assertEquals(Activation.RELU.getActivationFunction(),
                ((BatchNormalization) rebuilt.getLayer(1).conf().getLayer()).getActivationFn());
    }

    /** {@link ClassifierNetwork}'s two stages, from the native layers or DL4J's stock ones, with plain SGD. */
    private static MultiLayerConfiguration network(boolean nativeLayers) {
        NeuralNetConfiguration.ListBuilder layers = new NeuralNetConfiguration.Builder()
                .seed(3L).weightInit(WeightInit.RELU).updater(new Sgd(0.05)).list();
        for (int s = 0; s < 2; s++) {
            ConvolutionLayer.Builder conv = new ConvolutionLayer.Builder(3, 3).nOut(6L << s).padding(1, 1)
                    .activation(Activation.IDENTITY);
            SubsamplingLayer.Builder pool = new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                    .kernelSize(2, 2).stride(2, 2);
            layers.layer(nativeLayers ? new NativeConvolution(conv) : conv.build())
                    .layer(nativeLayers ? new NativeBatchNormalization(Activation.RELU.getActivationFunction())
                            : new BatchNormalization.Builder().activation(Activation.RELU).build())
                    .layer(nativeLayers ? new NativeSubsampling(pool) : pool.build());
        }
        return layers.layer(new DenseLayer.Builder().nOut(ClassifierNetwork.FEATURES).activation(Activation.RELU).build())
                // No dropout: its masks come from the random stream, not from the layers compared.
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(SIZE, SIZE, 1))
                .build();
    }

    private static DataSet batch(int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, 1, SIZE, SIZE);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, CLASSES);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, (int) ((seed + i) % CLASSES), 1f);
        }
        return new DataSet(x, y);
    }

    private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        double diff = Nd4j.math().abs(expected.sub(actual)).maxNumber().doubleValue();
        assertTrue(diff < tolerance, what + ": max difference " + diff);
    }
}
