package io.atelier.common.features;

import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KerasH5ImportTest {

    @Test
    void vggShapedH5MatchesNumpyReference() throws URISyntaxException {
        Path h5 = Path.of(KerasH5ImportTest.class.getResource("/style/tiny-vgg.h5").toURI());
        KerasFeatureNetwork net = FeatureNetworks.vggH5("vgg19", KerasH5Model.read(h5));
        assertEquals(16, net.inputSize());
        assertEquals("predictions", net.outputLayer());
        assertEquals(java.util.List.of("input_1", "block1_conv1", "block1_conv2", "block1_pool", "block2_conv1",
                "block2_conv2", "block2_pool", "flatten", "fc1", "predictions"), net.layerNames());

        Map<String, Double> diffs = TfjsParity.maxAbsDiff(net, TfjsParity.fixture("/style/tiny-vgg-numpy.json"));
        System.out.println("tiny vgg .h5 max abs diff vs numpy: " + diffs);
        assertEquals(5, diffs.size());
        diffs.forEach((layer, d) -> assertTrue(d < 1e-4, layer + ": max abs diff " + d + " >= 1e-4"));
    }
}
