package io.atelier.common.style;

import io.atelier.common.image.AlignedBilinear;
import io.atelier.common.features.KerasFeatureNetwork;
import io.atelier.common.features.RandomFeatureNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GatysStylizerTest {
    static final Path ROOT = Path.of(System.getProperty("atelier.repo.root", "..")).toAbsolutePath().normalize();

    static INDArray shipped(String relative, int h, int w) throws IOException {
        var image = ImageIO.read(ROOT.resolve(relative).toFile());
        return Nd4j.create(AlignedBilinear.toUnitNchw(List.of(image), h, w), new long[]{1, 3, h, w}, 'c');
    }

    @Test
    void styleLossFallsAndContentStaysRecognisableWithLbfgs() throws IOException {
        INDArray content = shipped("data/images/content/chelsea.png", 24, 32);
        INDArray style = shipped("data/images/style/starry_night.jpg", 24, 32);
        KerasFeatureNetwork net = RandomFeatureNetwork.create(3, 32);
        GatysOptions options = GatysOptions.defaults("random").withIterations(15);
        assertEquals(GatysOptions.Optimizer.LBFGS, options.optimizer());

        GatysStylizer.Result r = new GatysStylizer(net).stylize(content, style, options);
        GatysStylizer.Step first = r.history().get(0);
        GatysStylizer.Step last = r.history().get(r.history().size() - 1);
        System.out.println("gatys (random net): first " + first + ", last " + last);
        assertTrue(last.style() < 0.5 * first.style(), "style loss should at least halve: " + first + " -> " + last);
        assertTrue(last.total() < first.total(), first + " -> " + last);
        assertTrue(r.image().minNumber().doubleValue() >= 0 && r.image().maxNumber().doubleValue() <= 1, "pixels stay in [0, 1]");
        double withContent = correlation(r.image(), content);
        double withStyle = correlation(r.image(), style);
        assertTrue(withContent > 0.5 && withContent > withStyle + 0.2, "the result should still look like the content"
                + " photo: pixel correlation with it " + withContent + ", with the style image " + withStyle);
    }

    @Test
    void sameSeedSameImage() throws IOException {
        INDArray content = shipped("data/images/content/chelsea.png", 16, 16);
        INDArray style = shipped("data/images/style/starry_night.jpg", 16, 16);
        KerasFeatureNetwork net = RandomFeatureNetwork.create(3, 16);
        GatysOptions noise = GatysOptions.defaults("random").withIterations(3)
                .withInit(GatysOptions.Init.NOISE, 5);
        INDArray a = new GatysStylizer(net).stylize(content, style, noise).image();
        INDArray b = new GatysStylizer(net).stylize(content, style, noise).image();
        assertEquals(a, b);
    }

    @Test
    void adamAlsoLowersTheStyleLoss() throws IOException {
        INDArray content = shipped("data/images/content/chelsea.png", 16, 16);
        INDArray style = shipped("data/images/style/starry_night.jpg", 16, 16);
        GatysOptions adam = GatysOptions.defaults("random").withIterations(6).withOptimizer(GatysOptions.Optimizer.ADAM);
        List<GatysStylizer.Step> h = new GatysStylizer(RandomFeatureNetwork.create(3, 16)).stylize(content, style, adam).history();
        assertTrue(h.get(h.size() - 1).style() < 0.7 * h.get(0).style(), h.get(0) + " -> " + h.get(h.size() - 1));
    }

    private static double correlation(INDArray a, INDArray b) {
        double[] x = a.reshape(-1).toDoubleVector();
        double[] y = b.reshape(-1).toDoubleVector();
        double mx = 0, my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i] / x.length;
            my += y[i] / y.length;
        }
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }
}
