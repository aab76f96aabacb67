package io.atelier.common.style;

import io.atelier.common.io.InvalidSettingException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Optimisation-based stylization settings: which layers carry content and style (and each style
 * layer's weight), the loss weights, and the optimiser's steps.
 *
 * @param optimizer    L-BFGS (the reference implementations' choice) or Adam
 * @param learningRate Adam's step size, or L-BFGS's first step, in pixel units of the [0, 1] image
 */
public record GatysOptions(String contentLayer, Map<String, Double> styleLayers, double contentWeight,
                           double styleWeight, double tvWeight, int iterations, Optimizer optimizer,
                           double learningRate, Init init, long seed) implements java.io.Serializable {

    /** How the image is updated from the loss gradient. */
    public enum Optimizer {
        LBFGS, ADAM;

        public static Optimizer parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException("unknown {optimizer} '" + name + "': use lbfgs or adam");
            }
        }
    }

    /** Where the optimisation starts. */
    public enum Init {
        CONTENT, NOISE, STYLE;

        public static Init parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException("unknown {init} '" + name + "': use content, noise or style");
            }
        }
    }

    public GatysOptions {
        if (styleLayers == null || styleLayers.isEmpty()) {
            throw new IllegalArgumentException("at least one style layer is needed");
        }
        if (iterations < 1) {
            throw new InvalidSettingException("{iterations} must be at least 1, got " + iterations);
        }
        styleLayers = new LinkedHashMap<>(styleLayers);
    }

    /**
     * Defaults per network. VGG-19: Gatys et al.'s choice (content block4_conv2; style the first
     * conv of each block). MobileNetV2 has no such blocks, so the same idea is mapped by
     * resolution: the wide post-ReLU expansion maps at 1/2, 1/2, 1/4, 1/8 and 1/16 of the input
     * carry style, and block_5_expand_relu (1/8, like block4_conv2) carries content. InceptionV3:
     * the stem's last convolutions and the first mixed blocks for style, mixed3 for content.
     */
    public static GatysOptions defaults(String network) {
        Map<String, Double> style = new LinkedHashMap<>();
        String content;
        switch (network) {
            case "vgg19", "vgg16" -> {
                for (int b = 1; b <= 5; b++) {
                    style.put("block" + b + "_conv1", 1.0);
                }
                content = "block4_conv2";
            }
            case "mobilenet_v2" -> {
                for (String l : new String[]{"Conv1_relu", "block_1_expand_relu", "block_3_expand_relu",
                        "block_6_expand_relu", "block_13_expand_relu"}) {
                    style.put(l, 1.0);
                }
                content = "block_5_expand_relu";
            }
            case "inception_v3" -> {
                for (String l : new String[]{"activation_3", "activation_5", "mixed0", "mixed1", "mixed2"}) {
                    style.put(l, 1.0);
                }
                content = "mixed3";
            }
            case "random" -> {
                for (String l : new String[]{"conv1", "conv2", "conv3"}) {
                    style.put(l, 1.0);
                }
                content = "conv3";
            }
            default -> throw new IllegalArgumentException("no default style layers for network " + network);
        }
        return new GatysOptions(content, style, 1.0, 1e3, 1.0, 100, Optimizer.LBFGS, 0.02, Init.CONTENT, 42);
    }

    public GatysOptions withIterations(int n) {
        return new GatysOptions(contentLayer, styleLayers, contentWeight, styleWeight, tvWeight, n, optimizer,
                learningRate, init, seed);
    }

    public GatysOptions withOptimizer(Optimizer o) {
        return new GatysOptions(contentLayer, styleLayers, contentWeight, styleWeight, tvWeight, iterations, o,
                learningRate, init, seed);
    }

    public GatysOptions withInit(Init start, long noiseSeed) {
        return new GatysOptions(contentLayer, styleLayers, contentWeight, styleWeight, tvWeight, iterations, optimizer,
                learningRate, start, noiseSeed);
    }

    public GatysOptions withWeights(double content, double style, double tv) {
        return new GatysOptions(contentLayer, styleLayers, content, style, tv, iterations, optimizer, learningRate,
                init, seed);
    }

    /** Other layers; a null content layer or empty style map keeps the current ones. */
    public GatysOptions withLayers(String content, Map<String, Double> style) {
        return new GatysOptions(content == null ? contentLayer : content,
                style == null || style.isEmpty() ? styleLayers : style, contentWeight, styleWeight, tvWeight,
                iterations, optimizer, learningRate, init, seed);
    }

    public GatysOptions withLearningRate(double rate) {
        return new GatysOptions(contentLayer, styleLayers, contentWeight, styleWeight, tvWeight, iterations, optimizer,
                rate, init, seed);
    }

    /** Parses {@code name[:weight],...} (weight 1 when left out), e.g. {@code conv1:1,conv2:0.5}. */
    public static Map<String, Double> parseLayers(java.util.List<String> specs) {
        Map<String, Double> layers = new LinkedHashMap<>();
        for (String spec : specs) {
            String[] parts = spec.trim().split(":");
            try {
                layers.put(parts[0], parts.length > 1 ? Double.parseDouble(parts[1]) : 1.0);
            } catch (NumberFormatException e) {
                throw new InvalidSettingException("{styleLayers} '" + spec + "': write NAME or NAME:WEIGHT");
            }
        }
        return layers;
    }
}
