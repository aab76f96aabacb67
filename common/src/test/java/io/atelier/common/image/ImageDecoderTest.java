package io.atelier.common.image;

import io.atelier.common.testing.SampleImages;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageDecoderTest {
    private final ImageDecoder decoder = new ImageDecoder(1_000_000);

    // ---- formats the JDK writes: pixels known exactly ----

    @Test
    void losslessFormatsDecodeToTheExactPixels() throws Exception {
        BufferedImage src = SampleImages.shape(1, 5, 40, 24);
        for (String format : new String[]{"png", "bmp", "tiff", "gif"}) {
            BufferedImage got = decoder.decode(SampleImages.encode(src, format));
            assertEquals(BufferedImage.TYPE_INT_RGB, got.getType(), format + ": output type");
            assertSameSize(src, got, format);
            if (!format.equals("gif")) { // GIF quantises to a palette; the shape image has few colours anyway
                for (int y = 0; y < src.getHeight(); y += 3) {
                    for (int x = 0; x < src.getWidth(); x += 3) {
                        assertEquals(src.getRGB(x, y) & 0xFFFFFF, got.getRGB(x, y) & 0xFFFFFF,
                                format + " pixel (" + x + "," + y + ")");
                    }
                }
            }
        }
    }

    @Test
    void baselineJpegDecodesCloseToTheSource() throws Exception {
        BufferedImage src = SampleImages.solid(32, 32, new Color(40, 160, 60), BufferedImage.TYPE_INT_RGB);
        BufferedImage got = decoder.decode(SampleImages.encode(src, "jpg"));
        assertSameSize(src, got, "jpeg");
        assertColor(new Color(40, 160, 60), got, 16, 16, 12, "jpeg centre");
    }

    @Test
    void eightBitGrayKeepsItsLevels() throws Exception {
        BufferedImage gray = SampleImages.solid(8, 8, new Color(100, 100, 100), BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(3, 3, 0, 37);
        BufferedImage got = decoder.decode(SampleImages.encode(gray, "png"));
        assertColor(new Color(100, 100, 100), got, 0, 0, 3, "gray 100");
        assertColor(new Color(37, 37, 37), got, 3, 3, 3, "gray 37");
    }

    @Test
    void sixteenBitGrayIsScaledToEightBitsWithoutAGammaShift() throws Exception {
        BufferedImage gray = new BufferedImage(8, 8, BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster r = gray.getRaster();
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                r.setSample(x, y, 0, (x < 4 ? 60 : 180) * 257);
            }
        }
        byte[] png = SampleImages.encode(gray, "png");
        assertEquals(16, png[24], "fixture: PNG bit depth (IHDR) expected 16");
        BufferedImage got = decoder.decode(png);
        assertColor(new Color(60, 60, 60), got, 1, 1, 3, "16-bit gray 60*257");
        assertColor(new Color(180, 180, 180), got, 6, 6, 3, "16-bit gray 180*257");
    }

    @Test
    void alphaIsCompositedOverWhite() throws Exception {
        BufferedImage argb = new BufferedImage(3, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0xFF2050A0);      // opaque
        argb.setRGB(1, 0, 0x00123456);      // fully transparent
        argb.setRGB(2, 0, 0x80FF0000);      // half-transparent red
        BufferedImage got = decoder.decode(SampleImages.encode(argb, "png"));
        assertColor(new Color(0x20, 0x50, 0xA0), got, 0, 0, 2, "opaque pixel");
        assertColor(Color.WHITE, got, 1, 0, 2, "transparent pixel");
        assertColor(new Color(255, 127, 127), got, 2, 0, 4, "half red over white");
    }

    @Test
    void palettePngKeepsItsColours() throws Exception {
        byte[] reds = {(byte) 250, 10, 30};
        byte[] greens = {(byte) 250, (byte) 200, 30};
        byte[] blues = {(byte) 250, 20, (byte) 220};
        IndexColorModel palette = new IndexColorModel(2, 3, reds, greens, blues);
        BufferedImage indexed = new BufferedImage(6, 6, BufferedImage.TYPE_BYTE_INDEXED, palette);
        WritableRaster r = indexed.getRaster();
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 6; x++) {
                r.setSample(x, y, 0, (x + y) % 3);
            }
        }
        BufferedImage got = decoder.decode(SampleImages.encode(indexed, "png"));
        for (int y = 0; y < 6; y++) {
            for (int x = 0; x < 6; x++) {
                int i = (x + y) % 3;
                assertColor(new Color(reds[i] & 0xFF, greens[i] & 0xFF, blues[i] & 0xFF), got, x, y, 0,
                        "palette index " + i);
            }
        }
    }

    // ---- committed fixtures for what the JDK cannot write ----

    @Test
    void progressiveJpeg() throws Exception {
        BufferedImage got = decoder.decode(SampleImages.resource("progressive.jpg"));
        assertEquals("48x32", got.getWidth() + "x" + got.getHeight(), "size");
        assertColor(new Color(220, 40, 40), got, 7, 6, 30, "red block");
        assertColor(new Color(40, 80, 220), got, 24, 16, 30, "blue disc");
        assertColor(new Color(240, 240, 230), got, 45, 29, 30, "background");
    }

    @Test
    void cmykJpegBecomesRgb() throws Exception {
        BufferedImage got = decoder.decode(SampleImages.resource("cmyk.jpg"));
        assertEquals("48x32", got.getWidth() + "x" + got.getHeight(), "size");
        Color block = new Color(got.getRGB(24, 16));
        Color corner = new Color(got.getRGB(2, 2));
        // Colour management may move the hue a little; red must stay red and white stay light.
        assertTrue(block.getRed() > 150 && block.getGreen() < 110 && block.getBlue() < 110,
                "CMYK red block expected red in RGB, got " + block);
        assertTrue(corner.getRed() > 200 && corner.getGreen() > 200 && corner.getBlue() > 200,
                "CMYK white expected light in RGB, got " + corner);
    }

    @Test
    void lossyWebp() throws Exception {
        BufferedImage got = decoder.decode(SampleImages.resource("lossy.webp"));
        assertEquals("40x40", got.getWidth() + "x" + got.getHeight(), "size");
        assertColor(new Color(40, 160, 60), got, 20, 28, 30, "green triangle");
        assertColor(new Color(240, 240, 230), got, 2, 2, 30, "background");
    }

    @Test
    void losslessWebpWithAlpha() throws Exception {
        BufferedImage got = decoder.decode(SampleImages.resource("lossless-alpha.webp"));
        assertEquals("40x40", got.getWidth() + "x" + got.getHeight(), "size");
        assertColor(new Color(160, 60, 200), got, 20, 20, 2, "opaque square");
        assertColor(Color.WHITE, got, 2, 2, 2, "transparent surround over white");
    }

    @Test
    void sixteenBitRgbPng() throws Exception {
        BufferedImage got = decoder.decode(SampleImages.resource("rgb16.png"));
        assertEquals("40x32", got.getWidth() + "x" + got.getHeight(), "size");
        assertColor(new Color(220, 40, 40), got, 9, 9, 2, "red block");
    }

    @Test
    void grayWithAlphaKeepsLevelsAndCompositesOverWhite() throws Exception {
        BufferedImage got = decoder.decode(SampleImages.resource("gray-alpha.png"));
        assertColor(new Color(50, 50, 50), got, 2, 2, 3, "opaque gray 50");
        assertColor(new Color(200, 200, 200), got, 10, 10, 3, "opaque gray 200");
        // alpha 128/255 over white: 200 * 0.502 + 255 * 0.498 = 227.4; 50 -> 152.1
        assertColor(new Color(227, 227, 227), got, 20, 20, 4, "half-transparent gray 200");
        assertColor(new Color(152, 152, 152), got, 28, 28, 4, "half-transparent gray 50");
    }

    @Test
    void animatedGifGivesItsFirstFrame() throws Exception {
        BufferedImage got = decoder.decode(SampleImages.resource("animated.gif"));
        assertEquals("32x32", got.getWidth() + "x" + got.getHeight(), "size");
        assertColor(new Color(220, 40, 40), got, 16, 16, 10, "frame 1's red disc (frame 2 is a green square)");
        assertColor(Color.WHITE, got, 5, 5, 10, "frame 1's white corner (frame 2 is green there)");
    }

    // ---- what must be rejected, and why ----

    @Test
    void emptyInputIsRejectedAsEmpty() {
        assertRejected(new byte[0], "empty file");
    }

    @Test
    void truncatedJpegIsRejected() {
        byte[] jpeg = SampleImages.encode(SampleImages.shape(0, 2, 64, 64), "jpg");
        assertRejected(SampleImages.truncate(jpeg, jpeg.length / 2), "truncated");
    }

    @Test
    void truncatedPngIsRejected() {
        byte[] png = SampleImages.encode(SampleImages.shape(2, 4, 64, 64), "png");
        assertRejected(SampleImages.truncate(png, png.length / 2), "truncated");
    }

    @Test
    void truncatedTiffIsRejectedNotFilledWithBlack() {
        // jai-imageio's TIFF reader, also on the class path, decodes this "successfully" with black strips.
        byte[] tiff = SampleImages.encode(SampleImages.shape(3, 8, 64, 64), "tiff");
        for (double kept : new double[]{0.3, 0.9}) {
            RejectedImageException e = assertThrows(RejectedImageException.class,
                    () -> decoder.decode(SampleImages.truncate(tiff, (int) (tiff.length * kept))),
                    "TIFF cut to " + kept + " of its length expected rejected");
            assertTrue(e.getMessage().contains("corrupt or truncated"), "reason: " + e.getMessage());
        }
    }

    @Test
    void truncatedWebpIsRejectedByItsRiffLength() {
        for (String name : new String[]{"lossy.webp", "lossless-alpha.webp"}) {
            byte[] webp = SampleImages.resource(name);
            for (double kept : new double[]{0.3, 0.6, 0.9}) {
                byte[] cut = SampleImages.truncate(webp, (int) (webp.length * kept));
                RejectedImageException e = assertThrows(RejectedImageException.class, () -> decoder.decode(cut),
                        name + " cut to " + cut.length + " of " + webp.length + " bytes expected rejected");
                assertTrue(e.getMessage().contains("truncated"), name + " reason: " + e.getMessage());
            }
        }
    }

    @Test
    void bytesNoReaderRecognisesAreNotAnImage() {
        assertRejected(SampleImages.randomBytes(2048, 7), "not an image");
        assertRejected("label,count\ncat,3\n".getBytes(StandardCharsets.UTF_8), "not an image");
    }

    @Test
    void decompressionBombIsRejectedFromItsHeaderAlone() {
        byte[] bomb = SampleImages.pngBomb(100_000, 100_000);
        assertTrue(bomb.length < 10_000, "fixture: the bomb file itself is small, got " + bomb.length + " bytes");
        long start = System.nanoTime();
        RejectedImageException e = assertThrows(RejectedImageException.class,
                () -> new ImageDecoder(IngestDefaults.MAX_PIXELS).decode(bomb));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(e.getMessage().contains("100000x100000") && e.getMessage().contains("--max-pixels"),
                "expected the declared size and --max-pixels in the reason, got: " + e.getMessage());
        assertTrue(millis < 2000, "header check expected to be cheap, took " + millis + " ms");
    }

    @Test
    void maxPixelsIsAnInclusiveLimit() throws Exception {
        byte[] png = SampleImages.encode(SampleImages.shape(0, 0, 10, 10), "png");
        assertEquals(10, new ImageDecoder(100).decode(png).getWidth(), "10x10 at --max-pixels 100 expected accepted");
        RejectedImageException e = assertThrows(RejectedImageException.class, () -> new ImageDecoder(99).decode(png));
        assertTrue(e.getMessage().contains("over --max-pixels 99"), "reason: " + e.getMessage());
    }

    /** The ingest's default, kept here so this package's tests need nothing from data.ingest. */
    private static final class IngestDefaults {
        static final long MAX_PIXELS = 50_000_000L;
    }

    private void assertRejected(byte[] bytes, String reasonPart) {
        RejectedImageException e = assertThrows(RejectedImageException.class, () -> decoder.decode(bytes),
                "expected a rejection saying '" + reasonPart + "'");
        assertTrue(e.getMessage().toLowerCase().contains(reasonPart),
                "expected the reason to say '" + reasonPart + "', got: " + e.getMessage());
    }

    private static void assertSameSize(BufferedImage expected, BufferedImage got, String what) {
        assertEquals(expected.getWidth() + "x" + expected.getHeight(), got.getWidth() + "x" + got.getHeight(),
                what + ": size");
    }

    static void assertColor(Color expected, BufferedImage img, int x, int y, int tolerance, String what) {
        Color got = new Color(img.getRGB(x, y));
        int d = Math.max(Math.abs(got.getRed() - expected.getRed()), Math.max(
                Math.abs(got.getGreen() - expected.getGreen()), Math.abs(got.getBlue() - expected.getBlue())));
        assertTrue(d <= tolerance, what + " at (" + x + "," + y + "): expected " + expected + " within "
                + tolerance + ", got " + got);
    }
}
