package io.atelier.common.image;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PixelAdapterTest {

    /** Every byte value 0..255, as a 16x16 image of {@code channels} channels (each channel shifted). */
    private static SparkImage everyByte(int channels) {
        byte[] data = new byte[256 * channels];
        for (int p = 0; p < 256; p++) {
            for (int ch = 0; ch < channels; ch++) {
                data[p * channels + ch] = (byte) (p + 85 * ch);
            }
        }
        return new SparkImage("every-byte", 16, 16, channels, SparkImage.modeFor(channels), data);
    }

    @Test
    void storedToNhwcAndBackIsExactForEveryByteInBgrAndGray() {
        for (int channels : new int[]{3, 1}) {
            SparkImage image = everyByte(channels);
            INDArray batch = PixelAdapter.toNhwc(List.of(image, image));
            assertArrayEquals(new long[]{2, 16, 16, channels}, batch.shape(), "NHWC shape");
            List<byte[]> back = PixelAdapter.toStored(batch);
            assertEquals(2, back.size());
            assertArrayEquals(image.data(), back.get(0), channels + " channels: stored -> NHWC -> stored");
            assertArrayEquals(image.data(), back.get(1), channels + " channels, second image");
        }
    }

    @Test
    void everyByteWidensToTheScaleTheNetworksSee() {
        for (int v = 0; v < 256; v++) {
            float unit = PixelAdapter.toUnit((byte) v);
            assertEquals((v & 0xFF) / 127.5f - 1f, unit, 0f, "byte " + v);
            assertEquals(v, PixelAdapter.toByte(unit), "byte " + v + " back");
        }
        assertEquals(-1f, PixelAdapter.toUnit((byte) 0), 0f);
        assertEquals(1f, PixelAdapter.toUnit((byte) 255), 0f);
        assertEquals(255, PixelAdapter.toByte(3f), "clipped above");
        assertEquals(0, PixelAdapter.toByte(-3f), "clipped below");
    }

    @Test
    void storedBgrPixelBecomesRgbChannelsLast() {
        // one row of two pixels, stored (b, g, r): (10, 20, 30) and (40, 50, 60)
        SparkImage image = new SparkImage("bgr", 1, 2, 3, SparkImage.modeFor(3), new byte[]{10, 20, 30, 40, 50, 60});
        INDArray batch = PixelAdapter.toNhwc(List.of(image));
        float[] expected = {30, 20, 10, 60, 50, 40};
        for (int i = 0; i < expected.length; i++) {
            expected[i] = PixelAdapter.toUnit((byte) expected[i]);
        }
        assertArrayEquals(expected, batch.dup('c').data().asFloat(), 0f, "[0, 0, x, (r, g, b)]");

        INDArray nchw = PixelAdapter.toNchw(List.of(image));
        assertArrayEquals(new long[]{1, 3, 1, 2}, nchw.shape());
        assertEquals(PixelAdapter.toUnit((byte) 30), nchw.getFloat(0, 0, 0, 0), 0f, "channel 0 of NCHW is red");
        assertEquals(PixelAdapter.toUnit((byte) 40), nchw.getFloat(0, 2, 0, 1), 0f, "channel 2 of NCHW is blue");

        BufferedImage rgb = PixelAdapter.toImages(batch).get(0);
        assertEquals((30 << 16) | (20 << 8) | 10, rgb.getRGB(0, 0) & 0xFFFFFF, "PNG pixel 0 is (r, g, b) = (30, 20, 10)");
        assertEquals((60 << 16) | (50 << 8) | 40, rgb.getRGB(1, 0) & 0xFFFFFF, "PNG pixel 1 is (r, g, b) = (60, 50, 40)");
    }

    @Test
    void workerBatchesWidenInStoredOrderAndTurnToRgbIntoLeadingRows() {
        // two stored images of one pixel each; the batch asks for image 1 then image 0
        byte[] stored = {1, 2, 3, 4, 5, 6};
        float[] widened = new float[6];
        PixelAdapter.widen(stored, 3, new int[]{1, 0}, widened);
        float[] expected = {4, 5, 6, 1, 2, 3};
        for (int i = 0; i < expected.length; i++) {
            expected[i] = PixelAdapter.toUnit((byte) expected[i]);
        }
        assertArrayEquals(expected, widened, 0f, "gathered and widened, channel order kept");

        // the leading two rows of a three-row buffer, as the networks' inputs are used
        INDArray into = Nd4j.zeros(DataType.FLOAT, 3, 1, 1, 3);
        PixelAdapter.storedToRgb(Nd4j.create(widened, new long[]{2, 1, 1, 3}, 'c'), into.get(
                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2)));
        assertArrayEquals(new float[]{expected[2], expected[1], expected[0], expected[5], expected[4], expected[3], 0, 0, 0},
                into.data().asFloat(), 0f, "blue and red swapped in each pixel, third row untouched");
    }

    @Test
    void misshapenBatchesAreRefusedWithTheirShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PixelAdapter.toStored(Nd4j.zeros(DataType.FLOAT, 2, 3, 4, 4)));
        assertTrue(e.getMessage().contains("[2, 3, 4, 4]"), e.getMessage());
        SparkImage small = new SparkImage("small", 1, 1, 3, SparkImage.modeFor(3), new byte[3]);
        SparkImage large = new SparkImage("large", 2, 2, 3, SparkImage.modeFor(3), new byte[12]);
        e = assertThrows(IllegalArgumentException.class, () -> PixelAdapter.toNhwc(List.of(small, large)));
        assertTrue(e.getMessage().contains("large"), e.getMessage());
    }

    /**
     * The channel swap runs on every training step and every sampled batch, so it must not keep
     * memory: ND4J's reverse op, used before, kept about 3 MB of native memory per call on this
     * batch shape (1.2 GB over these 400 calls), which a long RGB run turned into an OOM kill.
     */
    @Test
    void theChannelSwapKeepsNoMemoryAcrossCalls() throws Exception {
        java.nio.file.Path status = java.nio.file.Path.of("/proc/self/status");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(status), "Linux /proc only");
        INDArray src = Nd4j.rand(DataType.FLOAT, 16, 32, 32, 3);
        INDArray dst = Nd4j.create(DataType.FLOAT, 16, 32, 32, 3);
        PixelAdapter.storedToRgb(src, dst);
        for (int c = 0; c < 3; c++) {
            assertEquals(src.get(all(), all(), all(), point(2 - c)), dst.get(all(), all(), all(), point(c)), "channel " + c);
        }
        System.gc();
        long before = residentMib(status);
        for (int i = 0; i < 400; i++) {
            PixelAdapter.storedToRgb(src, dst);
        }
        System.gc();
        long after = residentMib(status);
        assertTrue(after - before < 300, "resident memory grew from " + before + " to " + after + " MiB over 400 swaps");
        assertThrows(IllegalArgumentException.class, () -> PixelAdapter.storedToRgb(src, src));
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex all() {
        return org.nd4j.linalg.indexing.NDArrayIndex.all();
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex point(int i) {
        return org.nd4j.linalg.indexing.NDArrayIndex.point(i);
    }

    private static long residentMib(java.nio.file.Path status) throws java.io.IOException {
        return java.nio.file.Files.readAllLines(status).stream().filter(l -> l.startsWith("VmRSS"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) / 1024).findFirst().orElseThrow();
    }
}
