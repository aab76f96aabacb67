package io.atelier.common.features;

import com.fasterxml.jackson.databind.JsonNode;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a Keras 2 model config (functional {@code Model} or {@code Sequential}) as SameDiff ops
 * in NHWC, Keras's own layout, so padding, pooling and flattening follow Keras exactly. Each
 * layer's output variable carries the layer's name; weights become constants, so gradients flow
 * to the input only.
 *
 * <p>Layers: InputLayer, ZeroPadding2D, Conv2D, DepthwiseConv2D, BatchNormalization (inference),
 * ReLU (with max_value), Activation, Add, Concatenate, Average/MaxPooling2D, Flatten, Dense,
 * Dropout (identity).
 */
public final class KerasGraphBuilder {
    private final SameDiff sd;
    private final WeightSource weights;
    private final Map<String, SDVariable> outputs = new LinkedHashMap<>();
    /** Per layer, its output shape without the batch dimension: {h, w, c} or {f}. */
    private final Map<String, long[]> shapes = new LinkedHashMap<>();

    private KerasGraphBuilder(SameDiff sd, WeightSource weights) {
        this.sd = sd;
        this.weights = weights;
    }

    /** The built layers: name to output variable (NHWC), in graph order, and their shapes. */
    public record Built(Map<String, SDVariable> outputs, Map<String, long[]> shapes) {
    }

    /**
     * Adds the model's layers to {@code sd}, fed by {@code inputNhwc} (already normalised as the
     * model expects) of spatial size {@code height x width}.
     */
    public static Built build(SameDiff sd, JsonNode modelConfig, WeightSource weights, SDVariable inputNhwc,
                              long height, long width) {
        KerasGraphBuilder b = new KerasGraphBuilder(sd, weights);
        String kind = modelConfig.path("class_name").asText();
        JsonNode config = modelConfig.path("config");
        JsonNode layers = config.isArray() ? config : config.path("layers");
        boolean sequential = kind.equals("Sequential");
        if (!sequential && !kind.equals("Model") && !kind.equals("Functional")) {
            throw new IllegalArgumentException("unsupported Keras model class " + kind + " (expected Model or Sequential)");
        }
        long channels = inputNhwc.getShape() != null ? inputNhwc.getShape()[3] : 3;
        String previous = null;
        for (JsonNode layer : layers) {
            String name = layer.path("config").path("name").asText(layer.path("name").asText());
            List<String> inbound = sequential ? (previous == null ? List.of() : List.of(previous)) : inbound(layer);
            if (layer.path("class_name").asText().equals("InputLayer") || inbound.isEmpty()) {
                b.outputs.put("__input__", inputNhwc);
                b.shapes.put("__input__", new long[]{height, width, channels});
                if (layer.path("class_name").asText().equals("InputLayer")) {
                    b.put(name, sd.identity(name, inputNhwc), new long[]{height, width, channels});
                    previous = name;
                    continue;
                }
                inbound = List.of("__input__");
            }
            b.add(name, layer.path("class_name").asText(), layer.path("config"), inbound);
            previous = name;
        }
        b.outputs.remove("__input__");
        b.shapes.remove("__input__");
        return new Built(b.outputs, b.shapes);
    }

    /** The side of the model's declared square input ({@code batch_input_shape}), or {@code fallback}. */
    public static int declaredInputSize(JsonNode modelConfig, int fallback) {
        JsonNode config = modelConfig.path("config");
        for (JsonNode layer : config.isArray() ? config : config.path("layers")) {
            JsonNode shape = layer.path("config").path("batch_input_shape");
            if (shape.isArray() && shape.size() == 4 && shape.get(1).isInt() && shape.get(1).equals(shape.get(2))) {
                return shape.get(1).asInt();
            }
        }
        return fallback;
    }

    private static List<String> inbound(JsonNode layer) {
        List<String> names = new ArrayList<>();
        JsonNode nodes = layer.path("inbound_nodes");
        if (nodes.size() > 1) {
            throw new IllegalArgumentException("layer " + layer.path("name").asText() + " is shared (called "
                    + nodes.size() + " times); shared layers are not supported");
        }
        for (JsonNode node : nodes) {
            for (JsonNode edge : node) {
                names.add(edge.get(0).asText());
            }
        }
        return names;
    }

    private void put(String name, SDVariable v, long[] shape) {
        outputs.put(name, v);
        shapes.put(name, shape);
    }

    private SDVariable in(List<String> inbound, int i) {
        SDVariable v = outputs.get(inbound.get(i));
        if (v == null) {
            throw new IllegalArgumentException("layer input " + inbound.get(i) + " is not defined before its use");
        }
        return v;
    }

    private void add(String name, String type, JsonNode c, List<String> inbound) {
        long[] s = shapes.get(inbound.get(0));
        SDVariable x = in(inbound, 0);
        switch (type) {
            case "ZeroPadding2D" -> zeroPadding(name, c, x, s);
            case "Conv2D" -> conv(name, c, x, s, false);
            case "DepthwiseConv2D" -> conv(name, c, x, s, true);
            case "BatchNormalization" -> put(name, batchNorm(name, c, x), s);
            case "ReLU" -> put(name, relu(name, c, x), s);
            case "Activation" -> put(name, activation(name, c.path("activation").asText(), x), s);
            case "Add" -> {
                SDVariable sum = x;
                for (int i = 1; i < inbound.size(); i++) {
                    sum = i == inbound.size() - 1 ? sd.math().add(name, sum, in(inbound, i))
                            : sd.math().add(name + "/sum" + i, sum, in(inbound, i));
                }
                put(name, sum, s);
            }
            case "Concatenate" -> concat(name, c, inbound);
            case "AveragePooling2D", "MaxPooling2D" -> pool(name, c, x, s, type.startsWith("Average"));
            case "Flatten" -> {
                long f = 1;
                for (long d : s) {
                    f *= d;
                }
                put(name, sd.reshape(name, x, -1, f), new long[]{f});
            }
            case "Dense" -> dense(name, c, x);
            case "Dropout", "SpatialDropout2D" -> put(name, sd.identity(name, x), s);
            default -> throw new IllegalArgumentException("layer " + name + ": Keras layer type " + type
                    + " is not supported by this importer");
        }
    }

    private void zeroPadding(String name, JsonNode c, SDVariable x, long[] s) {
        long[][] p = padding(c.path("padding"));
        INDArray pads = Nd4j.createFromArray(new int[][]{{0, 0}, {(int) p[0][0], (int) p[0][1]},
                {(int) p[1][0], (int) p[1][1]}, {0, 0}});
        SDVariable padded = sd.nn().pad(name, x, sd.constant(name + "/paddings", pads), 0.0);
        put(name, padded, new long[]{s[0] + p[0][0] + p[0][1], s[1] + p[1][0] + p[1][1], s[2]});
    }

    /** Keras accepts an int, a pair (symmetric per axis) or ((top, bottom), (left, right)). */
    private static long[][] padding(JsonNode p) {
        if (p.isInt()) {
            return new long[][]{{p.asLong(), p.asLong()}, {p.asLong(), p.asLong()}};
        }
        if (p.get(0).isInt()) {
            return new long[][]{{p.get(0).asLong(), p.get(0).asLong()}, {p.get(1).asLong(), p.get(1).asLong()}};
        }
        return new long[][]{{p.get(0).get(0).asLong(), p.get(0).get(1).asLong()},
                {p.get(1).get(0).asLong(), p.get(1).get(1).asLong()}};
    }

    private void conv(String name, JsonNode c, SDVariable x, long[] s, boolean depthwise) {
        INDArray kernel = weights.get(name, depthwise ? "depthwise_kernel" : "kernel");
        long[] k = pair(c.path("kernel_size"));
        long[] stride = pair(c.path("strides"));
        long[] dilation = c.has("dilation_rate") ? pair(c.path("dilation_rate")) : new long[]{1, 1};
        boolean same = c.path("padding").asText().equals("same");
        Conv2DConfig config = Conv2DConfig.builder().kH(k[0]).kW(k[1]).sH(stride[0]).sW(stride[1])
                .dH(dilation[0]).dW(dilation[1]).paddingMode(same ? PaddingMode.SAME : PaddingMode.VALID)
                .dataFormat("NHWC").weightsFormat(WeightsFormat.YXIO).build();
        SDVariable w = sd.constant(name + "/kernel", kernel);
        SDVariable b = c.path("use_bias").asBoolean(true) ? sd.constant(name + "/bias", weights.get(name, "bias")) : null;
        String activation = c.path("activation").asText("linear");
        String convName = activation.equals("linear") ? name : name + "/linear";
        SDVariable y;
        if (depthwise) {
            y = b == null ? sd.cnn().depthWiseConv2d(convName, x, w, config) : sd.cnn().depthWiseConv2d(convName, x, w, b, config);
        } else {
            y = b == null ? sd.cnn().conv2d(convName, x, w, config) : sd.cnn().conv2d(convName, x, w, b, config);
        }
        long outC = depthwise ? kernel.size(2) * kernel.size(3) : kernel.size(3);
        long[] outShape = new long[]{outSize(s[0], k[0], stride[0], dilation[0], same),
                outSize(s[1], k[1], stride[1], dilation[1], same), outC};
        put(name, activation.equals("linear") ? y : activation(name, activation, y), outShape);
    }

    private static long outSize(long in, long k, long stride, long dilation, boolean same) {
        long effective = (k - 1) * dilation + 1;
        return same ? (in + stride - 1) / stride : (in - effective) / stride + 1;
    }

    private static long[] pair(JsonNode n) {
        return n.isInt() ? new long[]{n.asLong(), n.asLong()} : new long[]{n.get(0).asLong(), n.get(1).asLong()};
    }

    /**
     * Inference batch norm folded into one scale and shift per channel, computed in double:
     * {@code (x - mean) / sqrt(var + eps) * gamma + beta}. The configured epsilon matters: some
     * imported variances are exactly 0. Without {@code scale} there is no gamma (1); without
     * {@code center}, no beta (0).
     */
    private SDVariable batchNorm(String name, JsonNode c, SDVariable x) {
        int axis = c.path("axis").asInt(-1);
        if (axis != -1 && axis != 3) {
            throw new IllegalArgumentException("layer " + name + ": batch norm over axis " + axis
                    + " (only the channel axis of NHWC is supported)");
        }
        double eps = c.path("epsilon").asDouble(1e-3);
        INDArray mean = weights.get(name, "moving_mean").castTo(DataType.DOUBLE);
        INDArray var = weights.get(name, "moving_variance").castTo(DataType.DOUBLE);
        INDArray gamma = c.path("scale").asBoolean(true) ? weights.get(name, "gamma").castTo(DataType.DOUBLE)
                : Nd4j.onesLike(mean);
        INDArray beta = c.path("center").asBoolean(true) ? weights.get(name, "beta").castTo(DataType.DOUBLE)
                : Nd4j.zerosLike(mean);
        INDArray scale = gamma.div(Transforms.sqrt(var.add(eps), true));
        INDArray shift = beta.sub(mean.mul(scale));
        SDVariable scaled = sd.math().mul(name + "/scaled", x, sd.constant(name + "/scale", scale.castTo(DataType.FLOAT)));
        return sd.math().add(name, scaled, sd.constant(name + "/shift", shift.castTo(DataType.FLOAT)));
    }

    private SDVariable relu(String name, JsonNode c, SDVariable x) {
        double slope = c.path("negative_slope").asDouble(0);
        double threshold = c.path("threshold").asDouble(0);
        if (slope != 0 || threshold != 0) {
            throw new IllegalArgumentException("layer " + name + ": ReLU with negative_slope " + slope
                    + " or threshold " + threshold + " is not supported");
        }
        JsonNode max = c.path("max_value");
        if (max.isMissingNode() || max.isNull()) {
            return sd.nn().relu(name, x, 0);
        }
        // Capped ReLU (MobileNetV2's ReLU6), written as clip so any cap works.
        return sd.math().clipByValue(name, x, 0, max.asDouble());
    }

    private SDVariable activation(String name, String activation, SDVariable x) {
        return switch (activation) {
            case "linear" -> sd.identity(name, x);
            case "relu" -> sd.nn().relu(name, x, 0);
            case "relu6" -> sd.math().clipByValue(name, x, 0, 6);
            case "sigmoid" -> sd.nn().sigmoid(name, x);
            case "tanh" -> sd.math().tanh(name, x);
            case "softmax" -> sd.nn().softmax(name, x, -1);
            default -> throw new IllegalArgumentException("layer " + name + ": activation " + activation
                    + " is not supported");
        };
    }

    private void concat(String name, JsonNode c, List<String> inbound) {
        int axis = c.path("axis").asInt(-1);
        long[] first = shapes.get(inbound.get(0));
        if (axis != -1 && axis != first.length) {
            throw new IllegalArgumentException("layer " + name + ": concatenation over axis " + axis
                    + " (only the channel axis is supported)");
        }
        SDVariable[] parts = new SDVariable[inbound.size()];
        long channels = 0;
        for (int i = 0; i < parts.length; i++) {
            parts[i] = in(inbound, i);
            long[] s = shapes.get(inbound.get(i));
            channels += s[s.length - 1];
        }
        long[] shape = first.clone();
        shape[shape.length - 1] = channels;
        put(name, sd.concat(name, first.length, parts), shape);
    }

    /**
     * libnd4j's avg-pool divisor flag travels in {@code extra} (its {@code divisor} field is not
     * passed to the op): 0 divides by the window's cells inside the image, as Keras does.
     */
    private static final double EXCLUDE_PADDING = 0;

    /** 'same' average pooling must not count the padding (InceptionV3's 3x3 branch pools). */
    private void pool(String name, JsonNode c, SDVariable x, long[] s, boolean average) {
        long[] k = pair(c.path("pool_size"));
        long[] stride = c.path("strides").isNull() || c.path("strides").isMissingNode() ? k : pair(c.path("strides"));
        boolean same = c.path("padding").asText().equals("same");
        Pooling2DConfig config = Pooling2DConfig.builder().kH(k[0]).kW(k[1]).sH(stride[0]).sW(stride[1])
                .dH(1).dW(1).paddingMode(same ? PaddingMode.SAME : PaddingMode.VALID).isNHWC(true)
                .type(average ? Pooling2D.Pooling2DType.AVG : Pooling2D.Pooling2DType.MAX)
                .extra(EXCLUDE_PADDING).build();
        SDVariable y = average ? sd.cnn().avgPooling2d(name, x, config) : sd.cnn().maxPooling2d(name, x, config);
        put(name, y, new long[]{outSize(s[0], k[0], stride[0], 1, same), outSize(s[1], k[1], stride[1], 1, same), s[2]});
    }

    private void dense(String name, JsonNode c, SDVariable x) {
        INDArray kernel = weights.get(name, "kernel");
        SDVariable y = sd.mmul(name + "/matmul", x, sd.constant(name + "/kernel", kernel));
        String activation = c.path("activation").asText("linear");
        String biasName = activation.equals("linear") ? name : name + "/linear";
        if (c.path("use_bias").asBoolean(true)) {
            y = sd.math().add(biasName, y, sd.constant(name + "/bias", weights.get(name, "bias")));
        } else if (activation.equals("linear")) {
            y = sd.identity(name, y);
        }
        put(name, activation.equals("linear") ? y : activation(name, activation, y), new long[]{kernel.size(1)});
    }
}
