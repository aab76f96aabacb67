package io.atelier.common.image;

import io.atelier.common.testing.SampleImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.awt.Color;
import java.awt.image.BufferedImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class ExifOrientationTest {
    private static final int W = 3;
    private static final int H = 2;

    /** 3 wide, 2 high, every pixel different: any wrong flip or rotation moves some value. */
    private static BufferedImage asymmetric() {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                img.setRGB(x, y, pixelValue(x, y));
            }
        }
        return img;
    }

    private static int pixelValue(int x, int y) {
        return (10 * (y + 1)) << 16 | (10 * (x + 1)) << 8 | 7;
    }

    /**
     * The EXIF 2.3 table (tag 0x0112): where the stored image's 0th row and 0th column are in
     * the picture as it should be shown. Index = orientation.
     */
    private static final String[] ROW0 = {null, "top", "top", "bottom", "bottom", "left", "right", "right", "left"};
    private static final String[] COL0 = {null, "left", "right", "right", "left", "top", "top", "bottom", "bottom"};

    /** Where the stored pixel (sx, sy) appears in the shown picture, derived from the table alone. */
    private static int[] shownPosition(int orientation, int sx, int sy) {
        String row0 = ROW0[orientation];
        String col0 = COL0[orientation];
        if (row0.equals("top") || row0.equals("bottom")) {
            int y = row0.equals("top") ? sy : H - 1 - sy;
            int x = col0.equals("left") ? sx : W - 1 - sx;
            return new int[]{x, y};
        }
        // Rows become columns: the shown picture is H wide and W high.
        int x = row0.equals("left") ? sy : H - 1 - sy;
        int y = col0.equals("top") ? sx : W - 1 - sx;
        return new int[]{x, y};
    }

    @ParameterizedTest(name = "orientation {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void applyPlacesEveryPixelWhereTheExifTableSays(int orientation) {
        BufferedImage shown = ExifOrientation.apply(asymmetric(), orientation);
        boolean swapped = orientation >= 5;
        assertEquals(swapped ? H : W, shown.getWidth(), "width after orientation " + orientation);
        assertEquals(swapped ? W : H, shown.getHeight(), "height after orientation " + orientation);
        for (int sy = 0; sy < H; sy++) {
            for (int sx = 0; sx < W; sx++) {
                int[] p = shownPosition(orientation, sx, sy);
                int got = shown.getRGB(p[0], p[1]) & 0xFFFFFF;
                assertEquals(pixelValue(sx, sy), got, "orientation " + orientation + ": stored pixel (" + sx + "," + sy
                        + ") expected at shown (" + p[0] + "," + p[1] + "), found another pixel's value there");
            }
        }
    }

    @Test
    void orientationSixIsAClockwiseQuarterTurn() {
        // Independent of the table: turning a picture clockwise moves its top-left corner to the top right.
        BufferedImage shown = ExifOrientation.apply(asymmetric(), 6);
        assertEquals(pixelValue(0, 0), shown.getRGB(shown.getWidth() - 1, 0) & 0xFFFFFF,
                "stored top-left pixel expected at the shown top right");
        assertEquals(pixelValue(W - 1, H - 1), shown.getRGB(0, shown.getHeight() - 1) & 0xFFFFFF,
                "stored bottom-right pixel expected at the shown bottom left");
    }

    @Test
    void normalAndUnknownOrientationsReturnTheImageUntouched() {
        BufferedImage img = asymmetric();
        for (int o : new int[]{0, 1, 9, -3}) {
            assertSame(img, ExifOrientation.apply(img, o), "orientation " + o + " expected to leave the image as is");
        }
    }

    @ParameterizedTest(name = "orientation {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void readsTheTagInBothTiffByteOrders(int orientation) {
        byte[] jpeg = SampleImages.encode(SampleImages.shape(1, 3, 24, 16), "jpg");
        assertEquals(orientation, ExifOrientation.read(SampleImages.withExifOrientation(jpeg, orientation, false)),
                "big-endian EXIF");
        assertEquals(orientation, ExifOrientation.read(SampleImages.withExifOrientation(jpeg, orientation, true)),
                "little-endian EXIF");
    }

    @Test
    void readsTheTagExiftoolWrote() {
        assertEquals(6, ExifOrientation.read(SampleImages.resource("exif-orientation-6.jpg")));
    }

    @Test
    void filesWithoutATagOrNotJpegAreNormal() {
        byte[] plainJpeg = SampleImages.encode(SampleImages.shape(0, 1, 16, 16), "jpg");
        byte[] png = SampleImages.encode(SampleImages.shape(0, 1, 16, 16), "png");
        assertEquals(ExifOrientation.NORMAL, ExifOrientation.read(plainJpeg), "JPEG without EXIF");
        assertEquals(ExifOrientation.NORMAL, ExifOrientation.read(png), "PNG");
        assertEquals(ExifOrientation.NORMAL, ExifOrientation.read(new byte[0]), "empty");
        assertEquals(ExifOrientation.NORMAL, ExifOrientation.read(SampleImages.withExifOrientation(plainJpeg, 42, false)),
                "out-of-range tag value");
        byte[] damaged = SampleImages.withExifOrientation(plainJpeg, 6, false);
        int tiffStart = indexOf(damaged, "Exif".getBytes(java.nio.charset.StandardCharsets.US_ASCII)) + 6;
        damaged[tiffStart] = 'X'; // neither "II" nor "MM": the TIFF block cannot be parsed
        damaged[tiffStart + 1] = 'X';
        assertEquals(ExifOrientation.NORMAL, ExifOrientation.read(damaged), "EXIF block with a broken TIFF header");
    }

    @Test
    void decoderShowsTheOrientedPicture() throws Exception {
        // Stored 48x32 blue with a red 12x8 block at the top left; orientation 6 shows it 32x48, block top right.
        BufferedImage shown = new ImageDecoder(1_000_000).decode(SampleImages.resource("exif-orientation-6.jpg"));
        assertEquals(32, shown.getWidth(), "shown width");
        assertEquals(48, shown.getHeight(), "shown height");
        assertReddish(shown, 28, 3, "shown top right");
        assertBluish(shown, 3, 3, "shown top left");
        assertBluish(shown, 28, 44, "shown bottom right");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("marker not found");
    }

    static void assertReddish(BufferedImage img, int x, int y, String where) {
        Color c = new Color(img.getRGB(x, y));
        assertEquals(true, c.getRed() > 150 && c.getBlue() < 100, where + ": expected red, got " + c);
    }

    static void assertBluish(BufferedImage img, int x, int y, String where) {
        Color c = new Color(img.getRGB(x, y));
        assertEquals(true, c.getBlue() > 150 && c.getRed() < 100, where + ": expected blue, got " + c);
    }
}
