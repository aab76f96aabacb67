package io.atelier.common.features;

import com.fasterxml.jackson.databind.JsonNode;
import io.atelier.common.image.AlignedBilinear;
import io.atelier.common.io.Json;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares a feature network with a TF.js fixture (made by src/test/fixtures-gen): the fixture's
 * input images go through the same preprocessing and network, and each layer's channel means,
 * probe pixels or flat output are compared. Returns the max abs difference per layer.
 */
final class TfjsParity {
    private TfjsParity() {
    }

    static JsonNode fixture(String resource) {
        try (InputStream in = TfjsParity.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<BufferedImage> images(JsonNode fixture) {
        List<BufferedImage> images = new ArrayList<>();
        for (JsonNode im : fixture.path("images")) {
            int h = im.path("height").asInt();
            int w = im.path("width").asInt();
            JsonNode rgb = im.path("rgb");
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            for (int p = 0; p < h * w; p++) {
                int v = (rgb.get(3 * p).asInt() << 16) | (rgb.get(3 * p + 1).asInt() << 8) | rgb.get(3 * p + 2).asInt();
                img.setRGB(p % w, p / w, v);
            }
            images.add(img);
        }
        return images;
    }

    static Map<String, Double> maxAbsDiff(FeatureNetwork net, JsonNode fixture) {
        List<BufferedImage> images = images(fixture);
        int size = fixture.path("inputSize").asInt();
        INDArray batch = Nd4j.create(AlignedBilinear.toUnitNchw(images, size), new long[]{images.size(), 3, size, size}, 'c');
        List<String> layers = new ArrayList<>();
        fixture.path("layers").fieldNames().forEachRemaining(layers::add);
        Map<String, INDArray> out = net.forward(batch, layers);
        Map<String, Double> diffs = new LinkedHashMap<>();
        for (String layer : layers) {
            JsonNode expected = fixture.path("layers").path(layer);
            INDArray actual = out.get(layer);
            double max = 0;
            for (int n = 0; n < images.size(); n++) {
                if (expected.has("vectors")) {
                    max = Math.max(max, diff(expected.path("vectors").get(n), actual.getRow(n).toDoubleVector(), layer));
                    continue;
                }
                INDArray map = actual.get(org.nd4j.linalg.indexing.NDArrayIndex.point(n)); // [c, h, w]
                JsonNode means = expected.path("means").get(n);
                double[] actualMeans = new double[means.size()];
                for (int ch = 0; ch < means.size(); ch++) {
                    actualMeans[ch] = map.slice(ch).meanNumber().doubleValue();
                }
                max = Math.max(max, diff(means, actualMeans, layer + " channel means"));
                Iterator<JsonNode> probes = expected.path("probes").elements();
                for (int p = 0; probes.hasNext(); p++) {
                    JsonNode yx = probes.next();
                    JsonNode values = expected.path("probeValues").get(n).get(p);
                    double[] at = new double[values.size()];
                    for (int ch = 0; ch < at.length; ch++) {
                        at[ch] = map.getDouble(ch, yx.get(0).asLong(), yx.get(1).asLong());
                    }
                    max = Math.max(max, diff(values, at, layer + " at " + yx));
                }
            }
            diffs.put(layer, max);
        }
        return diffs;
    }

    private static double diff(JsonNode expected, double[] actual, String what) {
        if (expected.size() != actual.length) {
            throw new AssertionError(what + ": expected " + expected.size() + " values, got " + actual.length);
        }
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            max = Math.max(max, Math.abs(expected.get(i).asDouble() - actual[i]));
        }
        return max;
    }
}
