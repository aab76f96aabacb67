package io.atelier.common.features;

import com.fasterxml.jackson.databind.JsonNode;
import io.atelier.common.io.Json;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The layer details importers get wrong, each on a one-layer model with values worked out by hand.
 * Input: one 3x3 single-channel NHWC map with values 1..9 (row-major).
 */
class KerasGraphBuilderTest {
    private static final INDArray INPUT = Nd4j.createFromArray(new float[]{1, 2, 3, 4, 5, 6, 7, 8, 9}).reshape(1, 3, 3, 1);

    private static INDArray run(String layerJson, Map<String, INDArray> weights) {
        JsonNode model = parse("{\"class_name\": \"Sequential\", \"config\": {\"name\": \"m\", \"layers\": [" + layerJson + "]}}");
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.constant("x", INPUT);
        KerasGraphBuilder.Built built = KerasGraphBuilder.build(sd, model,
                new TfjsLayersModel.MapWeights("test", weights), in, 3, 3);
        return built.outputs().get("layer").eval();
    }

    private static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void batchNormUsesConfiguredEpsilonWhenVarianceIsZero() {
        INDArray out = run("{\"class_name\": \"BatchNormalization\", \"config\": {\"name\": \"layer\", \"axis\": -1,"
                        + " \"epsilon\": 0.001, \"center\": true, \"scale\": true}}",
                Map.of("layer/gamma", Nd4j.createFromArray(2f), "layer/beta", Nd4j.createFromArray(0.5f),
                        "layer/moving_mean", Nd4j.createFromArray(5f), "layer/moving_variance", Nd4j.createFromArray(0f)));
        // (x - 5) / sqrt(0 + 0.001) * 2 + 0.5; for x = 1: -4 * 63.2456 + 0.5
        assertEquals((1 - 5) / Math.sqrt(0.001) * 2 + 0.5, out.getDouble(0), 1e-3);
        assertEquals(0.5, out.getDouble(4), 1e-6);
    }

    @Test
    void batchNormWithoutScaleHasNoGamma() {
        INDArray out = run("{\"class_name\": \"BatchNormalization\", \"config\": {\"name\": \"layer\", \"axis\": 3,"
                        + " \"epsilon\": 0.001, \"center\": true, \"scale\": false}}",
                Map.of("layer/beta", Nd4j.createFromArray(1f), "layer/moving_mean", Nd4j.createFromArray(5f),
                        "layer/moving_variance", Nd4j.createFromArray(3.999f)));
        // (9 - 5) / sqrt(3.999 + 0.001) + 1 = 3
        assertEquals(3.0, out.getDouble(8), 1e-6);
    }

    @Test
    void zeroPaddingPadsOnlyTheSidesTheConfigNames() {
        INDArray out = run("{\"class_name\": \"ZeroPadding2D\", \"config\": {\"name\": \"layer\", \"padding\": [[0, 1], [0, 1]]}}",
                Map.of());
        assertArrayEquals(new long[]{1, 4, 4, 1}, out.shape());
        assertEquals(1.0, out.getDouble(0, 0, 0, 0), 0, "top-left keeps the first pixel: no top/left padding");
        assertEquals(0.0, out.getDouble(0, 3, 3, 0), 0, "bottom-right is padding");
    }

    @Test
    void cappedReluClipsAtMaxValue() {
        INDArray out = run("{\"class_name\": \"ReLU\", \"config\": {\"name\": \"layer\", \"max_value\": 6,"
                + " \"negative_slope\": 0, \"threshold\": 0}}", Map.of());
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6, 6, 6, 6}, out.reshape(9).toFloatVector(), 0f);
    }

    @Test
    void sameAveragePoolingDoesNotCountPadding() {
        INDArray out = run("{\"class_name\": \"AveragePooling2D\", \"config\": {\"name\": \"layer\", \"pool_size\": [3, 3],"
                + " \"strides\": [1, 1], \"padding\": \"same\"}}", Map.of());
        // top-left window holds 1, 2, 4, 5 inside the image: 12 / 4 = 3 (counting padding would give 12 / 9)
        assertEquals(3.0, out.getDouble(0, 0, 0, 0), 1e-6);
        assertEquals(5.0, out.getDouble(0, 1, 1, 0), 1e-6);
    }
}
