package io.atelier.common.runs;

import io.atelier.common.image.ImageGrid;
import io.atelier.common.image.PixelAdapter;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/** A model's samples (NHWC floats in [-1, 1], RGB or gray) laid out as one square-ish PNG sheet. */
public final class SampleGrids {
    /** Small images are scaled up (nearest neighbour) to about this many pixels a side. */
    private static final int TARGET_CELL = 64;

    private SampleGrids() {
    }

    public static byte[] png(float[] nhwc, int channels, int height, int width) {
        int size = channels * height * width;
        if (nhwc.length == 0 || nhwc.length % size != 0) {
            throw new IllegalArgumentException("sample grid of " + nhwc.length + " values is not a whole number of "
                    + channels + "x" + height + "x" + width + " images");
        }
        int count = nhwc.length / size;
        int cols = (int) Math.ceil(Math.sqrt(count));
        List<BufferedImage> images = PixelAdapter.toImages(nhwc, count, height, width, channels);
        List<List<BufferedImage>> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (i % cols == 0) {
                rows.add(new ArrayList<>());
            }
            rows.get(rows.size() - 1).add(images.get(i));
        }
        int scale = Math.max(1, TARGET_CELL / Math.max(height, width));
        return ImageGrid.toPng(ImageGrid.compose(rows, null, scale));
    }
}
