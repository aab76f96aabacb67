package io.atelier.common.style;

import io.atelier.common.features.FeatureNetworks;
import io.atelier.common.features.KerasFeatureNetwork;
import io.atelier.common.features.TfjsLayersModel;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertTrue;

class GatysMobileNetTest {

    @Test
    void shippedMobileNetV2DefaultsLowerTheStyleLoss() throws IOException {
        INDArray content = GatysStylizerTest.shipped("data/images/content/chelsea.png", 32, 40);
        INDArray style = GatysStylizerTest.shipped("data/images/style/starry_night.jpg", 32, 40);
        KerasFeatureNetwork net = FeatureNetworks.tfjs("mobilenet_v2", TfjsLayersModel.read(
                GatysStylizerTest.ROOT.resolve("data/models/nsfwjs-mobilenet_v2").toString(), new Configuration()), 224);

        GatysStylizer.Result r = new GatysStylizer(net).stylize(content, style,
                GatysOptions.defaults("mobilenet_v2").withIterations(4));
        GatysStylizer.Step first = r.history().get(0);
        GatysStylizer.Step last = r.history().get(r.history().size() - 1);
        System.out.println("gatys (mobilenet_v2, 32x40): first " + first + ", last " + last);
        assertTrue(last.style() < 0.75 * first.style(), "style loss should fall by a quarter: " + first + " -> " + last);
    }
}
