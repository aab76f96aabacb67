package io.atelier.common.features;

/** Makes feature networks from model files. */
public final class FeatureNetworks {
    private FeatureNetworks() {
    }

    /** A TF.js layers model trained on RGB [0, 1] input at its declared size (the nsfwjs models: 224, 299). */
    public static KerasFeatureNetwork tfjs(String name, TfjsLayersModel model) {
        return tfjs(name, model, KerasGraphBuilder.declaredInputSize(model.modelConfig(), 224));
    }

    /** A TF.js layers model trained on RGB [0, 1] input of {@code size x size}. */
    public static KerasFeatureNetwork tfjs(String name, TfjsLayersModel model, int size) {
        return new KerasFeatureNetwork(name, size, model.modelConfig(), model.weights(), InputNormalization.UNIT);
    }

    /**
     * VGG-16/19 (or any supported Keras model) from a whole-model .h5 file, with Keras's "caffe"
     * preprocessing: BGR, 0..255, ImageNet means subtracted.
     */
    public static KerasFeatureNetwork vggH5(String name, KerasH5Model model) {
        return new KerasFeatureNetwork(name, model.inputSize(224), model.modelConfig(), model.weights(),
                InputNormalization.CAFFE);
    }
}
