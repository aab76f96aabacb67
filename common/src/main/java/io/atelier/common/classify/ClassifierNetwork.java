package io.atelier.common.classify;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A small CNN: two conv-BN-ReLU-pool stages, a dense feature layer, dropout and softmax. The
 * dense layer (the penultimate) is what evaluation uses as features.
 */
public final class ClassifierNetwork {
    public static final int FEATURES = 128;
    /** Share of the feature layer's activations kept by dropout during training. */
    static final double KEEP = 0.5;

    private ClassifierNetwork() {
    }

    public static MultiLayerConfiguration build(int size, int channels, int classes, int width, long seed,
                                                double learningRate) {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .weightInit(WeightInit.RELU)
                .updater(new Adam(learningRate))
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(width).padding(1, 1).activation(Activation.IDENTITY).build())
                .layer(new BatchNormalization.Builder().activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(2 * width).padding(1, 1).activation(Activation.IDENTITY).build())
                .layer(new BatchNormalization.Builder().activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(FEATURES).activation(Activation.RELU).build())
                // Dropout on the feature layer's output while training (DL4J's value is the share kept).
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes).dropOut(KEEP)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(size, size, channels))
                .build();
    }
}
