package io.atelier.common.image;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A PNG a notebook cell shows: a cell whose expression evaluates to one of these gets the image
 * (not its text) as output when its notebook's outputs are stored. Its text is a short summary,
 * so a plain JShell shows what it would draw.
 */
public record PngImage(byte[] bytes, int width, int height) {

    public PngImage {
        if (bytes == null || bytes.length == 0) {
            throw new IllegalArgumentException("an image to show needs PNG bytes; got none");
        }
    }

    /** Wraps encoded PNG bytes, reading the size from them. */
    public static PngImage of(byte[] png) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(png));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (image == null) {
            throw new IllegalArgumentException("not a PNG (" + png.length + " bytes): pass ImageGrid.toPng's output or a .png file");
        }
        return new PngImage(png, image.getWidth(), image.getHeight());
    }

    public static PngImage of(BufferedImage image) {
        return new PngImage(ImageGrid.toPng(image), image.getWidth(), image.getHeight());
    }

    public static PngImage read(Path png) {
        try {
            return of(Files.readAllBytes(png));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "PNG " + width + "x" + height + " (" + bytes.length + " bytes)";
    }
}
