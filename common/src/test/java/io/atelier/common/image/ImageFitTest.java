package io.atelier.common.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageFitTest {
    private static final Color RED = new Color(230, 20, 20);
    private static final Color GREEN = new Color(20, 200, 20);
    private static final Color BLUE = new Color(20, 20, 230);

    /** Left quarter red, middle half green, right quarter blue. */
    private static BufferedImage bands(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(GREEN);
        g.fillRect(0, 0, w, h);
        g.setColor(RED);
        g.fillRect(0, 0, w / 4, h);
        g.setColor(BLUE);
        g.fillRect(w - w / 4, 0, w / 4, h);
        g.dispose();
        return img;
    }

    @ParameterizedTest(name = "{0} of {1}x{2} to {3}")
    @CsvSource({
            "CROP, 64, 32, 32", "CROP, 32, 64, 32", "CROP, 20, 10, 48", "CROP, 101, 37, 16",
            "PAD, 64, 32, 32", "PAD, 32, 64, 32", "PAD, 20, 10, 48", "PAD, 101, 37, 16",
            "STRETCH, 64, 32, 32", "STRETCH, 32, 64, 32", "STRETCH, 20, 10, 48", "STRETCH, 101, 37, 16"})
    void everyFitMakesASquareOfTheRequestedSize(ImageFit fit, int w, int h, int size) {
        BufferedImage out = fit.apply(bands(w, h), size);
        assertEquals(size + "x" + size, out.getWidth() + "x" + out.getHeight(),
                fit + " of " + w + "x" + h + ": expected a square of the requested size");
    }

    @Test
    void anImageAlreadyTheRightSizeIsReturnedAsIs() {
        BufferedImage img = bands(32, 32);
        for (ImageFit fit : ImageFit.values()) {
            assertSame(img, fit.apply(img, 32), fit + " expected to return a 32x32 input unchanged");
        }
    }

    @Test
    void cropKeepsTheCentreAndCutsTheSides() {
        // 64x32 -> 32: the short side already fits, so the centre 32 columns (all green) remain.
        BufferedImage out = ImageFit.CROP.apply(bands(64, 32), 32);
        for (int x : new int[]{0, 16, 31}) {
            assertNear(GREEN, out, x, 16, "crop column " + x);
        }
    }

    @Test
    void padKeepsTheWholeImageAndAddsBlackBorders() {
        // 64x32 -> 32: scaled to 32x16 and centred, so rows 0-7 and 24-31 are border.
        BufferedImage out = ImageFit.PAD.apply(bands(64, 32), 32);
        assertNear(Color.BLACK, out, 16, 2, "top border");
        assertNear(Color.BLACK, out, 16, 29, "bottom border");
        assertNear(RED, out, 1, 16, "left edge of the image (its red band)");
        assertNear(GREEN, out, 16, 16, "centre");
        assertNear(BLUE, out, 30, 16, "right edge of the image (its blue band)");
    }

    @Test
    void padOfATallImageBordersLeftAndRight() {
        BufferedImage tall = new BufferedImage(16, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = tall.createGraphics();
        g.setColor(GREEN);
        g.fillRect(0, 0, 16, 64);
        g.setColor(RED);
        g.fillRect(0, 0, 16, 8);   // top band
        g.setColor(BLUE);
        g.fillRect(0, 56, 16, 8);  // bottom band
        g.dispose();
        BufferedImage out = ImageFit.PAD.apply(tall, 32); // scaled to 8x32, centred at x 12..19
        assertNear(Color.BLACK, out, 3, 16, "left border");
        assertNear(Color.BLACK, out, 28, 16, "right border");
        assertNear(RED, out, 16, 1, "top band kept");
        assertNear(BLUE, out, 16, 30, "bottom band kept");
    }

    @Test
    void stretchKeepsEverythingAndSquashesIt() {
        BufferedImage out = ImageFit.STRETCH.apply(bands(64, 32), 32);
        assertNear(RED, out, 2, 2, "left band, top");
        assertNear(RED, out, 2, 29, "left band, bottom: no border added");
        assertNear(GREEN, out, 16, 16, "centre");
        assertNear(BLUE, out, 29, 16, "right band");
    }

    @Test
    void aThinStripIsFittedQuicklyFromItsCentre() {
        // 60000x1: scaling it until the short side fits 64 would build 3.84e9 pixels first.
        BufferedImage strip = bands(60_000, 1);
        for (ImageFit fit : ImageFit.values()) {
            long start = System.nanoTime();
            BufferedImage out = fit.apply(strip, 64);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals("64x64", out.getWidth() + "x" + out.getHeight(), fit + " size");
            assertTrue(millis < 2000, fit + " of a 60000x1 strip took " + millis + " ms");
        }
        assertNear(GREEN, ImageFit.CROP.apply(strip, 64), 32, 32, "crop of the strip: its centre pixel");
    }

    @Test
    void parseAcceptsAnyCaseAndNamesTheChoicesOnError() {
        assertEquals(ImageFit.PAD, ImageFit.parse(" Pad "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageFit.parse("zoom"));
        assertTrue(e.getMessage().contains("zoom") && e.getMessage().contains("crop, pad or stretch"),
                "expected the bad value and the choices in the message, got: " + e.getMessage());
    }

    private static void assertNear(Color expected, BufferedImage img, int x, int y, String where) {
        Color got = new Color(img.getRGB(x, y));
        int d = Math.abs(got.getRed() - expected.getRed()) + Math.abs(got.getGreen() - expected.getGreen())
                + Math.abs(got.getBlue() - expected.getBlue());
        assertTrue(d <= 45, where + " at (" + x + "," + y + "): expected about " + expected + ", got " + got);
    }
}
