package io.atelier.common.image;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import java.awt.Graphics2D;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Decodes encoded image bytes (JPEG, PNG, GIF, BMP, TIFF, WebP through ImageIO and the
 * TwelveMonkeys plug-ins) into an 8-bit sRGB image with EXIF orientation applied.
 *
 * <p>The header's declared size is checked against {@code maxPixels} before any pixel is
 * decoded, so a decompression bomb is rejected at the cost of reading its header.
 */
public final class ImageDecoder {
    static {
        // Plug-ins on the class path register through service files; scanning once is enough.
        ImageIO.scanForPlugins();
        ImageIO.setUseCache(false);
    }

    private final long maxPixels;

    public ImageDecoder(long maxPixels) {
        if (maxPixels <= 0) {
            throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        }
        this.maxPixels = maxPixels;
    }

    public long maxPixels() {
        return maxPixels;
    }

    /** Decodes the first frame; alpha is composited over white. */
    public BufferedImage decode(byte[] bytes) throws RejectedImageException {
        if (bytes == null || bytes.length == 0) {
            throw new RejectedImageException("empty file");
        }
        checkRiffLength(bytes);
        BufferedImage decoded = readFirstFrame(bytes);
        BufferedImage rgb = toOpaqueRgb(decoded);
        int orientation = ExifOrientation.read(bytes);
        return ExifOrientation.apply(rgb, orientation);
    }

    private BufferedImage readFirstFrame(byte[] bytes) throws RejectedImageException {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            ImageReader reader = preferredReader(ImageIO.getImageReaders(in));
            if (reader == null) {
                throw new RejectedImageException("not an image, or a format no installed reader supports");
            }
            try {
                reader.setInput(in, true, true);
                long width = reader.getWidth(0);
                long height = reader.getHeight(0);
                if (width <= 0 || height <= 0) {
                    throw new RejectedImageException("header declares an empty image (" + width + "x" + height + ")");
                }
                if (width * height > maxPixels) {
                    throw new RejectedImageException("header declares " + width + "x" + height + " = "
                            + (width * height) + " pixels, over --max-pixels " + maxPixels);
                }
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener(collectInto(warnings));
                BufferedImage image = reader.read(0);
                // Truncated JPEGs decode "successfully" with a warning and a grey tail.
                for (String warning : warnings) {
                    if (isDataLossWarning(warning)) {
                        throw new RejectedImageException("corrupt or truncated " + reader.getFormatName()
                                + ": " + warning);
                    }
                }
                return image;
            } finally {
                reader.dispose();
            }
        } catch (RejectedImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            String what = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new RejectedImageException("corrupt or truncated image: " + what, e);
        } catch (OutOfMemoryError e) {
            throw new RejectedImageException("image too large to decode in this executor's memory", e);
        }
    }

    /**
     * The reader to trust when several claim the format: TwelveMonkeys', then the JDK's, then any
     * other. Libraries on the class path bring their own (jai-imageio's TIFF reader comes first and
     * silently fills a truncated file's missing strips with black); the others fail on them.
     */
    private static ImageReader preferredReader(Iterator<ImageReader> readers) {
        ImageReader best = null;
        int bestRank = Integer.MAX_VALUE;
        while (readers.hasNext()) {
            ImageReader candidate = readers.next();
            String name = candidate.getClass().getName();
            int rank = name.startsWith("com.twelvemonkeys.") ? 0
                    : name.startsWith("com.sun.imageio.") ? 1 : 2;
            if (rank < bestRank) {
                if (best != null) {
                    best.dispose();
                }
                best = candidate;
                bestRank = rank;
            } else {
                candidate.dispose();
            }
        }
        return best;
    }

    /** A RIFF container (WebP) states its length; a shorter file lost its tail, which readers may not notice. */
    private static void checkRiffLength(byte[] bytes) throws RejectedImageException {
        if (bytes.length >= 12 && bytes[0] == 'R' && bytes[1] == 'I' && bytes[2] == 'F' && bytes[3] == 'F') {
            long declared = ((bytes[4] & 0xFFL) | (bytes[5] & 0xFFL) << 8 | (bytes[6] & 0xFFL) << 16
                    | (bytes[7] & 0xFFL) << 24) + 8;
            if (bytes.length < declared) {
                String format = new String(bytes, 8, 4, java.nio.charset.StandardCharsets.US_ASCII).trim();
                throw new RejectedImageException("truncated " + format + ": its RIFF header declares " + declared
                        + " bytes, the file has " + bytes.length);
            }
        }
    }

    private static boolean isDataLossWarning(String warning) {
        String w = warning.toLowerCase();
        return w.contains("premature") || w.contains("truncat") || w.contains("corrupt")
                || w.contains("end of") || w.contains("eof");
    }

    private static IIOReadWarningListener collectInto(List<String> warnings) {
        return (source, warning) -> warnings.add(warning);
    }

    /** 8-bit RGB with no alpha, whatever the source's depth, palette or color model. */
    static BufferedImage toOpaqueRgb(BufferedImage src) {
        if (src.getType() == BufferedImage.TYPE_INT_RGB) {
            return src;
        }
        if (isIntegralGray(src)) {
            return grayToRgb(src);
        }
        int w = src.getWidth();
        int h = src.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        if (src.getColorModel().hasAlpha()) {
            // Non-premultiplied sRGB, as Spark's image source reads it, then the same compositing
            // SparkImage applies to its BGRA rows: one picture gets one id whichever way it came in.
            int[] argb = src.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < argb.length; i++) {
                int a = argb[i] >>> 24;
                argb[i] = (SparkImage.overWhite((argb[i] >> 16) & 0xFF, a) << 16)
                        | (SparkImage.overWhite((argb[i] >> 8) & 0xFF, a) << 8)
                        | SparkImage.overWhite(argb[i] & 0xFF, a);
            }
            out.setRGB(0, 0, w, h, argb, 0, w);
            return out;
        }
        Graphics2D g = out.createGraphics();
        try {
            g.drawImage(src, 0, 0, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    private static boolean isIntegralGray(BufferedImage src) {
        ColorModel cm = src.getColorModel();
        int type = src.getRaster().getDataBuffer().getDataType();
        return !(cm instanceof IndexColorModel) && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && (type == DataBuffer.TYPE_BYTE || type == DataBuffer.TYPE_USHORT || type == DataBuffer.TYPE_INT);
    }

    /**
     * Gray (with or without alpha) to RGB by replicating the stored level. Java 2D treats its gray
     * color space as linear and gamma-corrects it when drawing into sRGB, which turns a PNG's
     * gray 50 into 122; stored gray levels are already display levels, as in every other reader.
     */
    private static BufferedImage grayToRgb(BufferedImage src) {
        ColorModel cm = src.getColorModel();
        Raster raster = src.getRaster();
        int w = src.getWidth();
        int h = src.getHeight();
        double grayMax = (1L << cm.getComponentSize(0)) - 1;
        boolean alpha = cm.hasAlpha() && raster.getNumBands() > 1;
        double alphaMax = alpha ? (1L << cm.getComponentSize(1)) - 1 : 1;
        boolean premultiplied = cm.isAlphaPremultiplied();
        int[] rgb = new int[w * h];
        int[] gray = new int[w];
        int[] a = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, gray);
            if (alpha) {
                raster.getSamples(0, y, w, 1, 1, a);
            }
            for (int x = 0; x < w; x++) {
                int v = (int) Math.round((gray[x] & 0xFFFFFFFFL) / grayMax * 255);
                if (alpha) {
                    int opacity = (int) Math.round(a[x] / alphaMax * 255);
                    v = premultiplied ? Math.min(255, v + 255 - opacity) : SparkImage.overWhite(v, opacity);
                }
                rgb[y * w + x] = (v << 16) | (v << 8) | v;
            }
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, w, h, rgb, 0, w);
        return out;
    }
}
