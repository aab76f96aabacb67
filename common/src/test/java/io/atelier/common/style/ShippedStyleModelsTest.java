package io.atelier.common.style;

import io.atelier.common.io.Sha256;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.ndarray.INDArray;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static io.atelier.common.style.GatysStylizerTest.ROOT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every fast style network shipped under data/models/style-* opens with this build (format,
 * weights matching their recorded SHA-256, the network they describe), names the shipped style
 * image it learned, and turns a small photo into a picture of the same size that is not the photo.
 */
class ShippedStyleModelsTest {
    private static List<Path> shipped() throws IOException {
        try (Stream<Path> dirs = Files.list(ROOT.resolve("data/models"))) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("style-")).sorted().toList();
        }
    }

    @Test
    void theThreeDocumentedStylesAreShipped() throws IOException {
        assertEquals(List.of("style-nagasaki-boats", "style-scream", "style-starry_night"),
                shipped().stream().map(d -> d.getFileName().toString()).toList(), "data/models/README.md lists these");
    }

    @TestFactory
    Stream<DynamicTest> eachShippedStyleModelLoadsAndStylizesASmallPhoto() throws IOException {
        BufferedImage photo = ImageIO.read(ROOT.resolve("data/images/content/chelsea.png").toFile());
        return shipped().stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            FastStyleModel model = FastStyleModel.load(dir.toString(), new Configuration());
            String name = dir.getFileName().toString().substring("style-".length());
            assertEquals(name, model.style());
            assertEquals(Sha256.of(Files.readAllBytes(ROOT.resolve("data/images/style/" + name + ".jpg"))),
                    model.styleSha256(), "the style image it was trained on is the shipped one");

            BufferedImage out = new FastStylizer(model, 64, false).stylize(photo);
            int[] hw = StyleImages.fitLongest(photo.getHeight(), photo.getWidth(), 64);
            assertEquals(hw[0], out.getHeight());
            assertEquals(hw[1], out.getWidth());
            INDArray before = StyleImages.toUnit(photo, hw[0], hw[1]);
            INDArray after = StyleImages.toUnit(out, hw[0], hw[1]);
            double change = after.sub(before).norm1Number().doubleValue() / after.length();
            assertTrue(change > 0.05, name + " changes the photo: mean absolute change " + change + " of the [0, 1] range");
            assertTrue(after.stdNumber().doubleValue() > 0.02, name + " makes a picture, not a flat colour: std "
                    + after.stdNumber());
        }));
    }
}
