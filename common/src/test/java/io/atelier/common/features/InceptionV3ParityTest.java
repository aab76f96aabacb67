package io.atelier.common.features;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InceptionV3ParityTest {

    @Test
    void importedInceptionV3MatchesTensorFlowJsToOneInTenThousand() {
        JsonNode fixture = TfjsParity.fixture("/style/inception_v3-tfjs.json");
        TfjsLayersModel model = TfjsLayersModel.read(
                MobileNetV2ParityTest.ROOT.resolve("data/models/nsfwjs-inception_v3").toString(), new Configuration());
        FeatureNetwork net = FeatureNetworks.tfjs("inception_v3", model);
        assertEquals("dense_3", net.outputLayer());
        assertEquals(299, net.inputSize(), "declared by the model config");

        Map<String, Double> diffs = TfjsParity.maxAbsDiff(net, fixture);
        System.out.println("inception_v3 max abs diff vs TF.js: " + diffs);
        assertEquals(4, diffs.size());
        diffs.forEach((layer, d) -> assertTrue(d < 1e-4, layer + ": max abs diff " + d + " >= 1e-4"));
    }
}
