package io.atelier.common.classify;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A small CNN: two or three stages of one or two conv-BN-ReLU and a 2x2 max pool (each stage twice as
 * wide as the one before, optionally followed by dropout), a dense feature layer, dropout and
 * softmax. The dense layer (the penultimate) is what evaluation uses as features. Convolution, batch norm and pooling run as native ops ({@link NativeConvolution},
 * {@link NativeBatchNormalization}, {@link NativeSubsampling}).
 */
public final class ClassifierNetwork {
    public static final int FEATURES = 128;
    /** Share of the feature layer's activations kept by dropout during training. */
    static final double KEEP = 0.5;
    public static final int MIN_STAGES = 2;
    public static final int MAX_STAGES = 3;
    public static final int MAX_CONVS = 2;

    private ClassifierNetwork() {
    }

    /** Two stages, as the shipped classifier has. */
    public static MultiLayerConfiguration build(int size, int channels, int classes, int width, long seed,
                                                double learningRate) {
        return build(size, channels, classes, width, MIN_STAGES, seed, learningRate);
    }

    public static MultiLayerConfiguration build(int size, int channels, int classes, int width, int stages, long seed,
                                                double learningRate) {
        return build(size, channels, classes, width, stages, 1, seed, learningRate);
    }

    public static MultiLayerConfiguration build(int size, int channels, int classes, int width, int stages, int convs,
                                                long seed, double learningRate) {
        return build(size, channels, classes, width, stages, convs, 0, seed, learningRate);
    }

    /**
     * @param convs        convolutions per stage (each followed by batch norm and ReLU) before its pooling
     * @param stageDropout share of each stage's pooled activations dropped while training, 0 for none (then
     *                     the layers are exactly those of a network built without it)
     */
    public static MultiLayerConfiguration build(int size, int channels, int classes, int width, int stages, int convs,
                                                double stageDropout, long seed, double learningRate) {
        NeuralNetConfiguration.ListBuilder layers = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .weightInit(WeightInit.RELU)
                .updater(new Adam(learningRate))
                .list();
        for (int s = 0; s < stages; s++) {
            for (int c = 0; c < convs; c++) {
                // Convolution without activation: batch norm comes before the ReLU.
                layers.layer(new NativeConvolution(new ConvolutionLayer.Builder(3, 3).nOut((long) width << s)
                                .padding(1, 1).activation(Activation.IDENTITY)))
                        .layer(new NativeBatchNormalization(Activation.RELU.getActivationFunction()));
            }
            layers.layer(new NativeSubsampling(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                            .kernelSize(2, 2).stride(2, 2)));
            if (stageDropout > 0) {
                // Parameterless, so the feature layer stays the penultimate and weights keep their order.
                layers.layer(new DropoutLayer.Builder(1 - stageDropout).build());
            }
        }
        return layers
                .layer(new DenseLayer.Builder().nOut(FEATURES).activation(Activation.RELU).build())
                // Dropout on the feature layer's output while training (DL4J's value is the share kept).
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes).dropOut(KEEP)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(size, size, channels))
                .build();
    }
}
