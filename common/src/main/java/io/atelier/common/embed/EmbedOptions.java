package io.atelier.common.embed;

import java.util.List;

/**
 * What {@code atelier embed} does. {@code layers} empty: the network's output layer.
 *
 * @param input     a dataset directory, an image folder, or a glob of image files
 * @param maxPixels images whose header declares more pixels are rejected before decoding
 * @param batch     images per forward pass
 */
public record EmbedOptions(String input, List<String> layers, String output, long maxPixels, int batch) {
    public EmbedOptions {
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        }
        layers = layers == null ? List.of() : List.copyOf(layers);
    }
}
