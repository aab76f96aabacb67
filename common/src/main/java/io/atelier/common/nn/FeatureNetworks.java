package io.atelier.common.nn;

/** Makes feature networks from model files. */
public final class FeatureNetworks {
    private FeatureNetworks() {
    }

    /** A TF.js layers model trained on RGB [0, 1] input of {@code size x size} (the nsfwjs models). */
    public static KerasFeatureNetwork tfjs(String name, TfjsLayersModel model, int size) {
        return new KerasFeatureNetwork(name, size, model.modelConfig(), model.weights(), InputNormalization.UNIT);
    }
}
