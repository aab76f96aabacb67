package io.atelier.common.families.stylegan.augment;

import io.atelier.common.image.ImageGrid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class AugmentGridTest {

    @Test
    void writesAPngWithARowPerTransformGroupAndTheWholePipeline(@TempDir Path dir) throws IOException {
        BufferedImage source = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                source.setRGB(x, y, (x * 16) << 16 | (y * 16) << 8 | 40);
            }
        }
        Path in = dir.resolve("in.png");
        Files.write(in, ImageGrid.toPng(source));
        Path out = dir.resolve("grid.png");
        AugmentGrid.write(in, out, 3, 5);
        BufferedImage grid = ImageIO.read(out.toFile());
        // 12 transforms + 3 groups + all = 16 rows of 16 px scaled by 6 with 2 px gaps.
        assertEquals(16 * (96 + 2) + 2, grid.getHeight());
        // The first column is the source, the second its x-flip row copy under seed 5's draws.
        int cell = 96 + 2;
        int left = grid.getWidth() - 4 * cell - 2;
        int firstRowTop = 2;
        int original = grid.getRGB(left + 2 + 3, firstRowTop + 3);
        assertEquals(source.getRGB(0, 0), original);
        int anyDifferent = 0;
        for (int col = 1; col <= 3; col++) {
            for (int row = 0; row < 16; row++) {
                anyDifferent += grid.getRGB(left + 2 + col * cell + 3, 2 + row * cell + 3) != original ? 1 : 0;
            }
        }
        assertNotEquals(0, anyDifferent, "no augmented cell differs from the source");
    }
}
