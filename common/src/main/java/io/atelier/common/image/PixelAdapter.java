package io.atelier.common.image;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The one pixel path between a stored row and a network batch. Stored pixels (Spark's image
 * struct) are bytes 0..255, row-major and interleaved: height x width x channels, BGR or gray.
 * Networks take NHWC floats [n, h, w, c] in [-1, 1], channels in RGB order. The stored order is
 * already NHWC up to the order of blue and red, so the way between them is widen and scale, then
 * reverse the channel axis; never a transpose. Outputs go back the same way, to stored bytes or
 * to RGB images (for PNGs).
 */
public final class PixelAdapter {
    /** The channel axis of an NHWC batch. */
    private static final int CHANNELS = 3;
    /** Channel order of the other side: BGR <-> RGB. Read-only, shared by every caller. */
    private static final INDArray SWAPPED_CHANNELS = Nd4j.createFromArray(2, 1, 0);

    private PixelAdapter() {
    }

    /** A stored byte (unsigned) as a network value: 0 -> -1, 255 -> 1. */
    public static float toUnit(byte b) {
        return (b & 0xFF) / 127.5f - 1f;
    }

    /** A network value as a stored byte: clipped to [-1, 1] and rounded half up. */
    public static int toByte(float v) {
        return Math.max(0, Math.min(255, Math.round((v + 1f) * 127.5f)));
    }

    /**
     * Widens the stored bytes of images {@code indices[i]} (each {@code imageBytes} long, one after
     * another in {@code stored}) into {@code out} as [-1, 1] floats, still in stored channel order;
     * {@link #storedToRgb} then makes them the network's batch. A loop rather than ND4J ops: ND4J
     * has no unsigned byte widening, and gathering, widening and scaling here is one pass over
     * memory the caller copies to the device once.
     */
    public static void widen(byte[] stored, int imageBytes, int[] indices, float[] out) {
        if (out.length < (long) indices.length * imageBytes) {
            throw new IllegalArgumentException(indices.length + " images of " + imageBytes + " bytes need "
                    + (long) indices.length * imageBytes + " floats, the batch holds " + out.length);
        }
        for (int b = 0; b < indices.length; b++) {
            int src = indices[b] * imageBytes;
            int dst = b * imageBytes;
            for (int i = 0; i < imageBytes; i++) {
                out[dst + i] = toUnit(stored[src + i]);
            }
        }
    }

    /**
     * Writes the batch {@code src} [n, h, w, c] with its channel axis reversed into {@code dst}
     * (same shape, another array) and returns dst: stored BGR to RGB, or RGB back to BGR (gray is
     * copied). One ND4J op, so it runs on whichever device holds the tensors: a {@code gather} of
     * channels 2, 1, 0, not the {@code reverse} op, which (ND4J 1.0.0-M2.1, CPU) leaks native
     * memory on every call, about 3 MB for a [16, 32, 32, 3] batch (see PixelAdapterTest).
     */
    public static INDArray storedToRgb(INDArray src, INDArray dst) {
        if (src.rank() != 4 || !Arrays.equals(src.shape(), dst.shape())) {
            throw new IllegalArgumentException("expected two [n, h, w, c] batches of one shape, got "
                    + Arrays.toString(src.shape()) + " and " + Arrays.toString(dst.shape()));
        }
        if (src.size(CHANNELS) == 1) {
            return dst.assign(src);
        }
        if (src == dst) {
            throw new IllegalArgumentException("the channel swap needs an output array other than its input");
        }
        Nd4j.exec(DynamicCustomOp.builder("gather").addInputs(src, SWAPPED_CHANNELS).addOutputs(dst)
                .addIntegerArguments(CHANNELS).build());
        return dst;
    }

    /** Same-sized stored images as one NHWC batch [n, h, w, c], RGB in [-1, 1]. */
    public static INDArray toNhwc(List<SparkImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to pack");
        }
        SparkImage first = images.get(0);
        int c = first.nChannels();
        int h = first.height();
        int w = first.width();
        int size = c * h * w;
        byte[] stored = new byte[images.size() * size];
        for (int n = 0; n < images.size(); n++) {
            SparkImage img = images.get(n);
            if (img.nChannels() != c || img.height() != h || img.width() != w) {
                throw new IllegalArgumentException("image " + img.origin() + " is " + img.height() + "x"
                        + img.width() + "x" + img.nChannels() + ", batch is " + h + "x" + w + "x" + c);
            }
            System.arraycopy(img.data(), 0, stored, n * size, size);
        }
        float[] unit = new float[stored.length];
        int[] all = new int[images.size()];
        Arrays.setAll(all, i -> i);
        widen(stored, size, all, unit);
        INDArray bgr = Nd4j.create(unit, new long[]{images.size(), h, w, c}, 'c');
        return storedToRgb(bgr, Nd4j.create(DataType.FLOAT, bgr.shape(), 'c'));
    }

    /**
     * The same batch channels first, [n, c, h, w] (dense, c order), for the networks that take
     * NCHW: DL4J's and SameDiff's (classifiers, feature extractors, the style transformer).
     */
    public static INDArray toNchw(List<SparkImage> images) {
        return toNhwc(images).permute(0, 3, 1, 2).dup('c');
    }

    /** A batch [n, h, w, c] (RGB or gray, values clipped to [-1, 1]) as stored bytes, one array per image. */
    public static List<byte[]> toStored(INDArray nhwc) {
        requireNhwc(nhwc);
        INDArray bgr = storedToRgb(nhwc, Nd4j.create(DataType.FLOAT, nhwc.shape(), 'c'));
        float[] v = bgr.data().asFloat();
        int n = (int) nhwc.size(0);
        int size = v.length / n;
        List<byte[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] data = new byte[size];
            for (int j = 0; j < size; j++) {
                // Java's half-up rounding, not an ND4J round op, keeps the bytes those written so far.
                data[j] = (byte) toByte(v[i * size + j]);
            }
            out.add(data);
        }
        return out;
    }

    /** A batch [n, h, w, c] (RGB or gray, values clipped to [-1, 1]) as RGB images, for PNGs. */
    public static List<BufferedImage> toImages(INDArray nhwc) {
        requireNhwc(nhwc);
        int n = (int) nhwc.size(0);
        int h = (int) nhwc.size(1);
        int w = (int) nhwc.size(2);
        int c = (int) nhwc.size(CHANNELS);
        float[] v = nhwc.dup('c').data().asFloat();
        int plane = h * w;
        List<BufferedImage> images = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int[] argb = new int[plane];
            for (int p = 0; p < plane; p++) {
                int at = (i * plane + p) * c;
                int r = toByte(v[at]);
                int g = c == 3 ? toByte(v[at + 1]) : r;
                int b = c == 3 ? toByte(v[at + 2]) : r;
                argb[p] = (r << 16) | (g << 8) | b;
            }
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            img.setRGB(0, 0, w, h, argb, 0, w);
            images.add(img);
        }
        return images;
    }

    /** {@link #toImages} of NHWC floats held in a Java array, {@code count} images of h x w x c. */
    public static List<BufferedImage> toImages(float[] nhwc, int count, int height, int width, int channels) {
        if (count < 1 || nhwc.length != (long) count * height * width * channels) {
            throw new IllegalArgumentException(nhwc.length + " values are not " + count + " images of " + height + "x"
                    + width + "x" + channels);
        }
        return toImages(Nd4j.create(nhwc, new long[]{count, height, width, channels}, 'c'));
    }

    private static void requireNhwc(INDArray batch) {
        if (batch.rank() != 4 || batch.size(0) < 1 || (batch.size(CHANNELS) != 1 && batch.size(CHANNELS) != 3)) {
            throw new IllegalArgumentException("expected an image batch [n, h, w, c] with c 1 or 3, got shape "
                    + Arrays.toString(batch.shape()));
        }
    }
}
