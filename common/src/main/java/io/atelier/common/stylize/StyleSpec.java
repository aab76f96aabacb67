package io.atelier.common.stylize;

import io.atelier.common.embed.ExecutorNetworks;
import io.atelier.common.embed.ExtractorSpec;
import io.atelier.common.features.FeatureNetwork;
import io.atelier.common.features.KerasFeatureNetwork;
import io.atelier.common.image.ImageDecoder;
import io.atelier.common.image.RejectedImageException;
import io.atelier.common.io.Json;
import io.atelier.common.io.Sha256;
import io.atelier.common.style.FastStyleModel;
import io.atelier.common.style.FastStylizer;
import io.atelier.common.style.GatysImageStylizer;
import io.atelier.common.style.GatysOptions;
import io.atelier.common.style.ImageStylizer;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One style as a task needs it: its id, everything that decides its output (hashed into
 * {@link #paramsHash()}), and what builds its stylizer on an executor (the style image and the
 * feature network for Gatys, the trained weights for fast). Two runs with equal parameters give
 * equal hashes, so the second finds the first's rows and skips them.
 */
public final class StyleSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String id;
    private final StylizeOptions.Method method;
    private final Map<String, Object> parameters;
    private final String paramsHash;
    private final byte[] styleImage;
    private final GatysOptions gatys;
    private final ExtractorSpec extractor;
    private final FastStyleModel model;
    private final int size;
    private final int scales;
    private final boolean preserveColor;

    private StyleSpec(String id, StylizeOptions.Method method, Map<String, Object> parameters, byte[] styleImage,
                      GatysOptions gatys, ExtractorSpec extractor, FastStyleModel model, int size, int scales,
                      boolean preserveColor) {
        this.id = id;
        this.method = method;
        this.parameters = parameters;
        this.paramsHash = Sha256.of(Json.line(parameters).getBytes(StandardCharsets.UTF_8)).substring(0, 16);
        this.styleImage = styleImage;
        this.gatys = gatys;
        this.extractor = extractor;
        this.model = model;
        this.size = size;
        this.scales = scales;
        this.preserveColor = preserveColor;
    }

    static StyleSpec gatys(String id, byte[] styleImage, GatysOptions options, ExtractorSpec extractor, int size,
                           int scales, boolean preserveColor) {
        try {
            new ImageDecoder(50_000_000L).decode(styleImage);
        } catch (RejectedImageException e) {
            throw new IllegalArgumentException("--style " + id + ": " + e.getMessage());
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("method", "gatys");
        p.put("styleSha256", Sha256.of(styleImage));
        p.put("size", size);
        p.put("scales", scales);
        p.put("preserveColor", preserveColor);
        p.put("extractor", extractor.name());
        p.put("extractorSource", extractor.source());
        p.put("contentLayer", options.contentLayer());
        p.put("styleLayers", options.styleLayers());
        p.put("weights", new double[]{options.contentWeight(), options.styleWeight(), options.tvWeight()});
        p.put("iterations", options.iterations());
        p.put("optimizer", options.optimizer().name().toLowerCase(java.util.Locale.ROOT));
        p.put("learningRate", options.learningRate());
        p.put("init", options.init().name().toLowerCase(java.util.Locale.ROOT));
        p.put("seed", options.seed());
        return new StyleSpec(id, StylizeOptions.Method.GATYS, p, styleImage, options, extractor, null, size, scales,
                preserveColor);
    }

    static StyleSpec fast(FastStyleModel model, String source, int size, boolean preserveColor) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("method", "fast");
        p.put("styleSha256", model.styleSha256());
        p.put("weightsSha256", model.weightsSha256());
        p.put("model", source);
        p.put("size", size);
        p.put("preserveColor", preserveColor);
        return new StyleSpec(model.style(), StylizeOptions.Method.FAST, p, null, null, null, model, size, 1,
                preserveColor);
    }

    public String id() {
        return id;
    }

    public StylizeOptions.Method method() {
        return method;
    }

    /** 16 hex characters of SHA-256 over {@link #parameters()} as one JSON line. */
    public String paramsHash() {
        return paramsHash;
    }

    /** Everything that decides the output, for the description file (the model's path is informative only). */
    public Map<String, Object> parameters() {
        return parameters;
    }

    /** Identifies the stylizer in an executor's cache. */
    String key() {
        return id + ":" + paramsHash;
    }

    /** Builds the stylizer (on an executor; the feature network comes from the executor's cache). */
    ImageStylizer build() {
        if (method == StylizeOptions.Method.FAST) {
            return new FastStylizer(model, size, preserveColor);
        }
        FeatureNetwork net = ExecutorNetworks.get(extractor);
        if (!(net instanceof KerasFeatureNetwork keras)) {
            throw new IllegalArgumentException("feature network " + extractor.name() + " cannot be differentiated");
        }
        try {
            return new GatysImageStylizer(keras, new ImageDecoder(50_000_000L).decode(styleImage), gatys, size, scales,
                    preserveColor);
        } catch (RejectedImageException e) {
            throw new IllegalStateException("style " + id + " decoded on the driver but not here: " + e.getMessage(), e);
        }
    }
}
