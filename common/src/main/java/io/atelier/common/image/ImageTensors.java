package io.atelier.common.image;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Images to and from NCHW float tensors in [-1, 1], channels in RGB order (the order networks
 * and exported PNGs use; the stored struct is BGR).
 */
public final class ImageTensors {
    private ImageTensors() {
    }

    public static float toUnit(byte b) {
        return (b & 0xFF) / 127.5f - 1f;
    }

    public static int toByte(float v) {
        return Math.max(0, Math.min(255, Math.round((v + 1f) * 127.5f)));
    }

    /** Packs same-sized images into [n, c, h, w] in [-1, 1]. */
    public static INDArray toNchw(List<SparkImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to pack");
        }
        SparkImage first = images.get(0);
        int c = first.nChannels();
        int h = first.height();
        int w = first.width();
        int plane = h * w;
        float[] out = new float[images.size() * c * plane];
        for (int n = 0; n < images.size(); n++) {
            SparkImage img = images.get(n);
            if (img.nChannels() != c || img.height() != h || img.width() != w) {
                throw new IllegalArgumentException("image " + img.origin() + " is " + img.height() + "x"
                        + img.width() + "x" + img.nChannels() + ", batch is " + h + "x" + w + "x" + c);
            }
            byte[] data = img.data();
            int base = n * c * plane;
            for (int p = 0; p < plane; p++) {
                for (int ch = 0; ch < c; ch++) {
                    // BGR interleaved -> RGB planar
                    int rgbChannel = c == 3 ? 2 - ch : ch;
                    out[base + rgbChannel * plane + p] = toUnit(data[p * c + ch]);
                }
            }
        }
        return Nd4j.create(out, new long[]{images.size(), c, h, w}, 'c');
    }

    /** Unpacks [n, c, h, w] (values in [-1, 1], clipped) into RGB images. */
    public static List<BufferedImage> toImages(INDArray nchw) {
        if (nchw.rank() != 4) {
            throw new IllegalArgumentException("expected [n, c, h, w], got shape " + java.util.Arrays.toString(nchw.shape()));
        }
        int n = (int) nchw.size(0);
        int c = (int) nchw.size(1);
        int h = (int) nchw.size(2);
        int w = (int) nchw.size(3);
        float[] v = nchw.dup('c').data().asFloat();
        int plane = h * w;
        List<BufferedImage> images = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int base = i * c * plane;
            int[] argb = new int[plane];
            for (int p = 0; p < plane; p++) {
                int r = toByte(v[base + p]);
                int g = c == 3 ? toByte(v[base + plane + p]) : r;
                int b = c == 3 ? toByte(v[base + 2 * plane + p]) : r;
                argb[p] = (r << 16) | (g << 8) | b;
            }
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            img.setRGB(0, 0, w, h, argb, 0, w);
            images.add(img);
        }
        return images;
    }
}
