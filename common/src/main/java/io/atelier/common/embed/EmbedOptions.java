package io.atelier.common.embed;

import io.atelier.common.data.ingest.IngestOptions;

import io.atelier.common.io.InvalidSettingException;
import java.util.List;

/**
 * What {@code atelier embed} does. {@code layers} empty: the network's output layer.
 *
 * @param input        a dataset directory, an image folder (recursively), a zip/tar/tar.gz archive of
 *                     images, a single image, or a glob of image files
 * @param maxPixels    images whose header declares more pixels are rejected before decoding
 * @param batch        images per forward pass
 * @param maxFileBytes larger files (and archive entries) are rejected without being read
 */
public record EmbedOptions(String input, List<String> layers, String output, long maxPixels, int batch,
                           long maxFileBytes) {
    public EmbedOptions {
        if (batch < 1) {
            throw new InvalidSettingException("{batch} must be at least 1, got " + batch);
        }
        if (maxPixels <= 0 || maxFileBytes <= 0) {
            throw new InvalidSettingException("{maxPixels} and the file size limit must be positive, got "
                    + maxPixels + " and " + maxFileBytes);
        }
        layers = layers == null ? List.of() : List.copyOf(layers);
    }

    /** With ingest's file size limit. */
    public EmbedOptions(String input, List<String> layers, String output, long maxPixels, int batch) {
        this(input, layers, output, maxPixels, batch, IngestOptions.DEFAULT_MAX_FILE_BYTES);
    }
}
