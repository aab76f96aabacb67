package io.atelier.common.image;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageGridTest {
    private static final int WHITE = 0xFFFFFF;

    private static BufferedImage tile() {
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                img.setRGB(x, y, WHITE);
            }
        }
        return img;
    }

    @Test
    void aLongLabelWidensItsColumnInsteadOfRunningUnderTheImages() {
        List<List<BufferedImage>> rows = List.of(List.of(tile(), tile()), List.of(tile(), tile()));
        BufferedImage shortLabels = ImageGrid.compose(rows, List.of("input", "fast"), 1);
        String longLabel = "nagasaki-boats: fast 3f9a2c, colour kept, 300 iterations";
        BufferedImage longLabels = ImageGrid.compose(rows, List.of("input", longLabel), 1);
        assertEquals(110 + 2 * 18 + 2, shortLabels.getWidth(), "short labels keep the standard column");
        int column = longLabels.getWidth() - 2 * 18 - 2;
        assertTrue(column > 110, "column widened to " + column);
        // The first image starts right of the widened column.
        assertEquals(WHITE, longLabels.getRGB(column + 2, 2) & WHITE, "first image at the column's end");
    }
}
