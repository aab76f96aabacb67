package io.atelier.common.runs;

import io.atelier.common.image.ImageGrid;
import io.atelier.common.image.ImageTensors;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/** A model's samples (NCHW floats in [-1, 1], RGB or gray) laid out as one square-ish PNG sheet. */
public final class SampleGrids {
    /** Small images are scaled up (nearest neighbour) to about this many pixels a side. */
    private static final int TARGET_CELL = 64;

    private SampleGrids() {
    }

    public static byte[] png(float[] nchw, int channels, int height, int width) {
        int size = channels * height * width;
        if (nchw.length == 0 || nchw.length % size != 0) {
            throw new IllegalArgumentException("sample grid of " + nchw.length + " values is not a whole number of "
                    + channels + "x" + height + "x" + width + " images");
        }
        int count = nchw.length / size;
        int cols = (int) Math.ceil(Math.sqrt(count));
        List<List<BufferedImage>> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (i % cols == 0) {
                rows.add(new ArrayList<>());
            }
            rows.get(rows.size() - 1).add(image(nchw, i * size, channels, height, width));
        }
        int scale = Math.max(1, TARGET_CELL / Math.max(height, width));
        return ImageGrid.toPng(ImageGrid.compose(rows, null, scale));
    }

    private static BufferedImage image(float[] v, int base, int channels, int height, int width) {
        int plane = height * width;
        int[] argb = new int[plane];
        for (int p = 0; p < plane; p++) {
            int r = ImageTensors.toByte(v[base + p]);
            int g = channels == 3 ? ImageTensors.toByte(v[base + plane + p]) : r;
            int b = channels == 3 ? ImageTensors.toByte(v[base + 2 * plane + p]) : r;
            argb[p] = (r << 16) | (g << 8) | b;
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, width, height, argb, 0, width);
        return img;
    }
}
