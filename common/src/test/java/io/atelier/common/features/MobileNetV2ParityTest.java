package io.atelier.common.features;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MobileNetV2ParityTest {
    static final Path ROOT = Path.of(System.getProperty("atelier.repo.root", "..")).toAbsolutePath().normalize();

    @Test
    void importedMobileNetV2MatchesTensorFlowJsToOneInTenThousand() {
        JsonNode fixture = TfjsParity.fixture("/style/mobilenet_v2-tfjs.json");
        TfjsLayersModel model = TfjsLayersModel.read(ROOT.resolve("data/models/nsfwjs-mobilenet_v2").toString(),
                new Configuration());
        FeatureNetwork net = FeatureNetworks.tfjs("mobilenet_v2", model, 224);
        assertEquals("dense_3", net.outputLayer());

        Map<String, Double> diffs = TfjsParity.maxAbsDiff(net, fixture);
        System.out.println("mobilenet_v2 max abs diff vs TF.js: " + diffs);
        assertEquals(4, diffs.size());
        diffs.forEach((layer, d) -> assertTrue(d < 1e-4, layer + ": max abs diff " + d + " >= 1e-4"));
    }
}
