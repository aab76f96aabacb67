package io.atelier.common.style;

import io.atelier.common.features.RandomFeatureNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GatysImageStylizerTest {
    static BufferedImage shipped(String relative) throws IOException {
        return ImageIO.read(GatysStylizerTest.ROOT.resolve(relative).toFile());
    }

    @Test
    void coarseToFineGivesTheLongerSideAskedForWithTheAspectKept() throws IOException {
        BufferedImage photo = shipped("data/images/content/chelsea.png"); // 451 x 300
        GatysImageStylizer twoScales = new GatysImageStylizer(RandomFeatureNetwork.create(3, 32),
                shipped("data/images/style/starry_night.jpg"), GatysOptions.defaults("random").withIterations(2), 40, 2, false);
        INDArray out = twoScales.stylizeUnit(photo);
        assertEquals(40, out.size(3), "longer side");
        assertEquals(27, out.size(2), "300/451 of 40, rounded");
        assertEquals(1, GatysImageStylizer.defaultScales(512));
        assertEquals(2, GatysImageStylizer.defaultScales(1024));
        assertEquals(3, GatysImageStylizer.defaultScales(2048));
    }

    @Test
    void preserveColorKeepsTheContentsChrominanceAndTheStylizedLuminance() {
        // content: a muted red; stylized: mid grey. Result: the grey's luminance, the red's hue.
        INDArray content = org.nd4j.linalg.factory.Nd4j.create(new float[]{0.6f, 0.4f, 0.4f}, new long[]{1, 3, 1, 1}, 'c');
        INDArray stylized = org.nd4j.linalg.factory.Nd4j.create(new float[]{0.5f, 0.5f, 0.5f}, new long[]{1, 3, 1, 1}, 'c');
        float[] rgb = StyleImages.luminanceOnly(stylized, content).data().asFloat();
        double luma = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
        assertTrue(rgb[0] > rgb[1] && rgb[0] > rgb[2], "still reddish: " + java.util.Arrays.toString(rgb));
        assertEquals(0.5, luma, 0.02, "the stylized image's luminance");
    }
}
