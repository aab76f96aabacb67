package io.atelier.common.image;

import net.coobird.thumbnailator.Thumbnails;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/** How a rectangular image becomes a {@code size x size} square. */
public enum ImageFit {
    /** Scale the short side to the size and cut the centre out: no borders, loses edges. */
    CROP,
    /** Scale the long side to the size and centre on black: keeps everything, adds borders. */
    PAD,
    /** Scale each side independently: keeps everything, distorts the aspect ratio. */
    STRETCH;

    public static ImageFit parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown fit '" + name + "': use crop, pad or stretch");
        }
    }

    /** Fits an RGB image; returns it unchanged when it already has the target size. */
    public BufferedImage apply(BufferedImage src, int size) {
        if (src.getWidth() == size && src.getHeight() == size) {
            return src;
        }
        try {
            return switch (this) {
                case STRETCH -> Thumbnails.of(src).forceSize(size, size).asBufferedImage();
                case CROP -> crop(src, size);
                case PAD -> pad(Thumbnails.of(src).size(size, size).keepAspectRatio(true).asBufferedImage(), size);
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory resizing does no I/O
        }
    }

    /**
     * Cuts the centred square first and scales only that: scaling the whole image until its short
     * side fits would, for a 60000x1 strip cropped to 64, first build a 3.8-billion-pixel image.
     */
    private static BufferedImage crop(BufferedImage src, int size) throws IOException {
        int side = Math.min(src.getWidth(), src.getHeight());
        BufferedImage square = src.getSubimage((src.getWidth() - side) / 2, (src.getHeight() - side) / 2, side, side);
        if (side == size) {
            BufferedImage copy = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
            copy.setRGB(0, 0, size, size, square.getRGB(0, 0, size, size, null, 0, size), 0, size);
            return copy;
        }
        return Thumbnails.of(square).forceSize(size, size).asBufferedImage();
    }

    private static BufferedImage pad(BufferedImage scaled, int size) {
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.drawImage(scaled, (size - scaled.getWidth()) / 2, (size - scaled.getHeight()) / 2, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}
