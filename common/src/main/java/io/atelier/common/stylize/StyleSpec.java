package io.atelier.common.stylize;

import io.atelier.common.embed.ExecutorNetworks;
import io.atelier.common.embed.ExtractorSpec;
import io.atelier.common.features.FeatureNetwork;
import io.atelier.common.features.KerasFeatureNetwork;
import io.atelier.common.image.ImageDecoder;
import io.atelier.common.image.RejectedImageException;
import io.atelier.common.io.InvalidSettingException;
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
 * feature network for Gatys, the trained weights for fast, or a {@link Factory} handed in from
 * outside, see {@link #custom}). Two runs with equal parameters give equal hashes, so the second
 * finds the first's rows and skips them.
 */
public final class StyleSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Builds a stylizer on an executor; travels to executors inside the spec, so it is serialisable. */
    @FunctionalInterface
    public interface Factory extends Serializable {
        ImageStylizer build();
    }

    private final String id;
    private final String method;
    private final Map<String, Object> parameters;
    private final Map<String, Object> about;
    private final String paramsHash;
    private final int channels;
    private final Factory factory;
    private final byte[] styleImage;
    private final GatysOptions gatys;
    private final ExtractorSpec extractor;
    private final FastStyleModel model;
    private final int size;
    private final int scales;
    private final boolean preserveColor;

    private StyleSpec(String id, String method, Map<String, Object> parameters, Map<String, Object> about,
                      int channels, Factory factory, byte[] styleImage, GatysOptions gatys, ExtractorSpec extractor,
                      FastStyleModel model, int size, int scales, boolean preserveColor) {
        this.id = id;
        this.method = method;
        this.parameters = parameters;
        this.about = about;
        this.paramsHash = Sha256.of(Json.line(parameters).getBytes(StandardCharsets.UTF_8)).substring(0, 16);
        this.channels = channels;
        this.factory = factory;
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
            throw new InvalidSettingException("{style} " + id + ": " + e.getMessage());
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
        return new StyleSpec(id, StylizeOptions.Method.GATYS.label(), p, Map.of(), 3, null, styleImage, options,
                extractor, null, size, scales, preserveColor);
    }

    static StyleSpec fast(FastStyleModel model, String source, int size, boolean preserveColor) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("method", "fast");
        p.put("styleSha256", model.styleSha256());
        p.put("weightsSha256", model.weightsSha256());
        p.put("model", source);
        p.put("size", size);
        p.put("preserveColor", preserveColor);
        return new StyleSpec(model.style(), StylizeOptions.Method.FAST.label(), p, Map.of(), 3, null, null, null, null,
                model, size, 1, preserveColor);
    }

    /**
     * A style whose stylizer comes from elsewhere (a translation model, say), run by
     * {@link StylizeJob#run(StylizeJob.Catalog, java.util.List, StylizeJob.Progress)} like any other.
     *
     * @param id         the value of the rows' {@code style} column
     * @param method     the value of the rows' {@code method} column
     * @param parameters everything that decides the output, hashed into the rows' {@code params}
     * @param about      informative only, not hashed (where the model lives, what it maps): written
     *                   beside the parameters in {@code _params/H.json} and the description file
     * @param channels   channels of the stored images: 1 (grey) or 3
     * @param factory    builds the stylizer, once per executor
     */
    public static StyleSpec custom(String id, String method, Map<String, Object> parameters, Map<String, Object> about,
                                   int channels, Factory factory) {
        if (id == null || id.isBlank() || method == null || method.isBlank()) {
            throw new IllegalArgumentException("a style needs an id and a method label");
        }
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("stored images have 1 or 3 channels, got " + channels);
        }
        return new StyleSpec(id, method, new LinkedHashMap<>(parameters), new LinkedHashMap<>(about), channels,
                java.util.Objects.requireNonNull(factory, "factory"), null, null, null, null, 0, 0, false);
    }

    public String id() {
        return id;
    }

    /** The rows' {@code method} value: gatys, fast, or a custom style's label. */
    public String method() {
        return method;
    }

    /** Channels of the stored images (3 unless a custom style says 1). */
    public int channels() {
        return channels;
    }

    /** Informative entries beside the parameters (not hashed); empty for gatys and fast. */
    public Map<String, Object> about() {
        return about;
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
        if (factory != null) {
            return factory.build();
        }
        if (StylizeOptions.Method.FAST.label().equals(method)) {
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
