package io.atelier.common.image;

import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SparkImageTest {
    /** 2x1: pixel 0 is (r 10, g 20, b 30), pixel 1 is (r 200, g 150, b 100). */
    private static BufferedImage twoPixels() {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, (10 << 16) | (20 << 8) | 30);
        img.setRGB(1, 0, (200 << 16) | (150 << 8) | 100);
        return img;
    }

    @Test
    void colourIsStoredInterleavedBlueGreenRed() {
        SparkImage img = SparkImage.fromRgb("x", twoPixels(), 3);
        assertArrayEquals(new byte[]{30, 20, 10, 100, (byte) 150, (byte) 200}, img.data(),
                "expected B,G,R per pixel, row-major");
        assertEquals(3, img.nChannels());
        assertEquals(SparkImage.CV_8UC3, img.mode(), "mode for 3 channels");
        assertEquals(1, img.height());
        assertEquals(2, img.width());
    }

    @Test
    void grayIsBt601Luma() {
        BufferedImage img = new BufferedImage(4, 1, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xFF0000);
        img.setRGB(1, 0, 0x00FF00);
        img.setRGB(2, 0, 0x0000FF);
        img.setRGB(3, 0, 0xFFFFFF);
        SparkImage gray = SparkImage.fromRgb("g", img, 1);
        // 0.299 R + 0.587 G + 0.114 B, rounded
        int[] expected = {76, 150, 29, 255};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], gray.data()[i] & 0xFF, "luma of pixel " + i);
        }
        assertEquals(SparkImage.CV_8UC1, gray.mode(), "mode for 1 channel");
    }

    @Test
    void toRgbUndoesTheChannelOrderAndReplicatesGray() {
        BufferedImage back = SparkImage.fromRgb("x", twoPixels(), 3).toRgb();
        assertEquals(twoPixels().getRGB(0, 0), back.getRGB(0, 0), "pixel 0 after BGR round trip");
        assertEquals(twoPixels().getRGB(1, 0), back.getRGB(1, 0), "pixel 1 after BGR round trip");

        SparkImage gray = new SparkImage("g", 1, 2, 1, SparkImage.CV_8UC1, new byte[]{5, (byte) 250});
        BufferedImage rgb = gray.toRgb();
        assertEquals(0x050505, rgb.getRGB(0, 0) & 0xFFFFFF, "gray 5 replicated");
        assertEquals(0xFAFAFA, rgb.getRGB(1, 0) & 0xFFFFFF, "gray 250 replicated");
    }

    @Test
    void fourChannelDataIsCompositedOverWhiteInToRgb() {
        // B, G, R, A as Spark's image source stores images with transparency
        SparkImage bgra = new SparkImage("a", 1, 3, 4, SparkImage.CV_8UC4, new byte[]{
                30, 20, 10, (byte) 255,      // opaque
                30, 20, 10, 0,               // fully transparent
                0, 0, (byte) 200, (byte) 128 // half-transparent red
        });
        BufferedImage rgb = bgra.toRgb();
        assertEquals((10 << 16) | (20 << 8) | 30, rgb.getRGB(0, 0) & 0xFFFFFF, "opaque pixel keeps its colour");
        assertEquals(0xFFFFFF, rgb.getRGB(1, 0) & 0xFFFFFF, "transparent pixel becomes white");
        // 200 * 128/255 + 255 * 127/255 = 227.4; 0 * 128/255 + 255 * 127/255 = 127
        assertEquals((227 << 16) | (127 << 8) | 127, rgb.getRGB(2, 0) & 0xFFFFFF, "half red over white");
    }

    @Test
    void rowRoundTripKeepsEveryField() {
        SparkImage img = SparkImage.fromRgb("file:/a/b.png", twoPixels(), 3);
        Row row = new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(
                new Object[]{img.origin(), img.height(), img.width(), img.nChannels(), img.mode(), img.data()},
                SparkImage.STRUCT);
        SparkImage back = SparkImage.fromRow(row);
        assertEquals(img.origin(), back.origin());
        assertEquals(img.height() + "x" + img.width() + "x" + img.nChannels() + " mode " + img.mode(),
                back.height() + "x" + back.width() + "x" + back.nChannels() + " mode " + back.mode());
        assertArrayEquals(img.data(), back.data());
        assertEquals(6, img.toRow().size(), "toRow fields, as in STRUCT");
    }

    @Test
    void dataOfTheWrongLengthIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SparkImage("bad", 2, 2, 3, SparkImage.CV_8UC3, new byte[11]));
        assertTrue(e.getMessage().contains("needs 12 bytes, has 11"), "message: " + e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SparkImage.fromRgb("x", twoPixels(), 2),
                "2 channels is neither gray nor colour");
    }

    @Test
    void shiftedMovesPixelsAndRepeatsTheEdge() {
        // 3 wide, 2 high, gray: row 0 = 1 2 3, row 1 = 4 5 6
        SparkImage img = new SparkImage("s", 2, 3, 1, SparkImage.CV_8UC1, new byte[]{1, 2, 3, 4, 5, 6});
        assertArrayEquals(new byte[]{1, 1, 2, 4, 4, 5}, img.shifted(1, 0).data(), "one right: left column repeats");
        assertArrayEquals(new byte[]{2, 3, 3, 5, 6, 6}, img.shifted(-1, 0).data(), "one left: right column repeats");
        assertArrayEquals(new byte[]{1, 2, 3, 1, 2, 3}, img.shifted(0, 1).data(), "one down: top row repeats");
        assertArrayEquals(img.data(), img.shifted(0, 0).data(), "no shift: same pixels");

        SparkImage colour = new SparkImage("c", 1, 2, 3, SparkImage.CV_8UC3, new byte[]{1, 2, 3, 7, 8, 9});
        assertArrayEquals(new byte[]{1, 2, 3, 1, 2, 3}, colour.shifted(1, 0).data(), "channels move together");
    }
}
