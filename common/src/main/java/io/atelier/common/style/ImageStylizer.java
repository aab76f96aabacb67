package io.atelier.common.style;

import java.awt.image.BufferedImage;

/**
 * Stylizes one picture with one style; built once per executor (it holds networks) and used by
 * one task at a time. Implementations: {@link GatysImageStylizer} (optimisation per image) and
 * {@link FastStylizer} (one pass of a trained transformer network).
 */
public interface ImageStylizer {
    /** The stylized picture, its longer side the size this stylizer works at, aspect ratio kept. */
    BufferedImage stylize(BufferedImage content);
}
