package io.atelier.common.style;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Stylizes one picture with one style; built once per executor (it holds networks) and used by
 * one task at a time. Implementations: {@link GatysImageStylizer} (optimisation per image) and
 * {@link FastStylizer} (one pass of a trained transformer network); a map stage with a network
 * that takes many images per call (translate, project) overrides {@link #stylizeBatch}.
 */
public interface ImageStylizer {
    /** The stylized picture, its longer side the size this stylizer works at, aspect ratio kept. */
    BufferedImage stylize(BufferedImage content);

    /**
     * One result of {@link #stylizeBatch}: the picture and the values of the stage's extra output
     * columns, in their order (empty for a stage with none).
     */
    record Stylized(BufferedImage image, List<Object> columns) {
        public Stylized {
            columns = java.util.Collections.unmodifiableList(new ArrayList<>(columns)); // nulls allowed
        }
    }

    /** Several pictures in one call, results in order; one at a time unless the network batches. */
    default List<Stylized> stylizeBatch(List<BufferedImage> contents) {
        List<Stylized> out = new ArrayList<>(contents.size());
        for (BufferedImage c : contents) {
            out.add(new Stylized(stylize(c), List.of()));
        }
        return out;
    }
}
