package io.atelier.common.image;

import com.twelvemonkeys.imageio.metadata.Directory;
import com.twelvemonkeys.imageio.metadata.Entry;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEG;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegment;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegmentUtil;
import com.twelvemonkeys.imageio.metadata.tiff.TIFF;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFReader;

import javax.imageio.ImageIO;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Collections;
import java.util.List;

/** The EXIF orientation tag of a JPEG (1 to 8), and the transform that undoes it. */
public final class ExifOrientation {
    public static final int NORMAL = 1;

    private ExifOrientation() {
    }

    /** The orientation the file declares, or {@link #NORMAL} when it declares none. */
    public static int read(byte[] bytes) {
        if (bytes.length < 4 || (bytes[0] & 0xFF) != 0xFF || (bytes[1] & 0xFF) != 0xD8) {
            return NORMAL; // not a JPEG
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            List<JPEGSegment> exif = JPEGSegmentUtil.readSegments(in,
                    Collections.singletonMap(JPEG.APP1, Collections.singletonList("Exif")))
                    .stream().toList();
            if (exif.isEmpty()) {
                return NORMAL;
            }
            byte[] data = exif.get(0).data().readAllBytes();
            // "Exif\0" is followed by a pad byte. TIFFReader reads offsets from the stream's start,
            // so the stream must begin at the TIFF header itself, not be skipped forward to it.
            int start = data.length > 0 && data[0] == 0 ? 1 : 0;
            Directory ifd;
            try (ImageInputStream tiff = ImageIO.createImageInputStream(
                    new ByteArrayInputStream(data, start, data.length - start))) {
                ifd = new TIFFReader().read(tiff);
            }
            Entry tag = ifd.getEntryById(TIFF.TAG_ORIENTATION);
            if (tag == null) {
                return NORMAL;
            }
            int value = ((Number) tag.getValue()).intValue();
            return value >= 1 && value <= 8 ? value : NORMAL;
        } catch (IOException | RuntimeException e) {
            return NORMAL; // a damaged EXIF block must not reject an otherwise good image
        }
    }

    /** Returns the image as a viewer honouring the tag would show it (TYPE_INT_RGB in, out). */
    public static BufferedImage apply(BufferedImage src, int orientation) {
        if (orientation < 2 || orientation > 8) {
            return src;
        }
        int w = src.getWidth();
        int h = src.getHeight();
        boolean swap = orientation >= 5;
        int ow = swap ? h : w;
        int oh = swap ? w : h;
        int[] in = src.getRGB(0, 0, w, h, null, 0, w);
        int[] out = new int[in.length];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }           // mirror horizontal
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }   // rotate 180
                    case 4 -> { sx = x; sy = h - 1 - y; }           // mirror vertical
                    case 5 -> { sx = y; sy = x; }                   // transpose
                    case 6 -> { sx = y; sy = h - 1 - x; }           // rotate 90 clockwise
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }   // transverse
                    default -> { sx = w - 1 - y; sy = x; }          // 8: rotate 90 counter-clockwise
                }
                out[y * ow + x] = in[sy * w + sx];
            }
        }
        BufferedImage result = new BufferedImage(ow, oh, BufferedImage.TYPE_INT_RGB);
        result.setRGB(0, 0, ow, oh, out, 0, ow);
        return result;
    }
}
