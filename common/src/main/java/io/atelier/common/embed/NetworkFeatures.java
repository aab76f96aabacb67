package io.atelier.common.embed;

import io.atelier.common.eval.FeatureExtractor;
import io.atelier.common.eval.FeatureSource;
import io.atelier.common.features.FeatureNetwork;
import io.atelier.common.image.AlignedBilinear;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An imported network's pooled features as evaluation features: the global average of its last
 * convolutional block (MobileNetV2: 1280 values, {@code flatten_1} after the 7x7 average pool;
 * InceptionV3: 2048 values, {@code flatten_1} after the 8x8 average pool of {@code mixed10}, the
 * layer Inception FIDs use). Images of any size are resized as the networks' own preprocessing
 * does (aligned-corner bilinear to the input size, RGB in [0, 1]); gray images are replicated to
 * three channels. The shipped networks are nsfwjs's 5-class fine-tunes of ImageNet networks, so
 * their FIDs are not comparable with published (ImageNet Inception) FIDs. The model bytes are
 * broadcast once; each executor builds the network once ({@link ExecutorNetworks}).
 */
public final class NetworkFeatures implements FeatureSource {
    private static final long serialVersionUID = 1L;

    /** Network name -> [feature layer, dimension]. */
    private static final Map<String, Object[]> LAYERS = Map.of(
            "mobilenet_v2", new Object[]{"flatten_1", 1280},
            "inception_v3", new Object[]{"flatten_1", 2048},
            "random", new Object[]{"conv3", 16});
    public static final List<String> NAMES = List.of("mobilenet_v2", "inception_v3");

    private final Broadcast<ExtractorSpec> spec;
    private final String name;
    private final String source;
    private final String key;
    private final String layer;
    private final int dimension;
    private final int size;

    private NetworkFeatures(Broadcast<ExtractorSpec> spec, ExtractorSpec value, String layer, int dimension, int size) {
        this.spec = spec;
        this.name = value.name();
        this.source = value.source();
        this.key = value.key();
        this.layer = layer;
        this.dimension = dimension;
        this.size = size;
    }

    public static boolean isName(String choice) {
        return LAYERS.containsKey(choice.toLowerCase(Locale.ROOT));
    }

    /**
     * @param name     {@code mobilenet_v2}, {@code inception_v3}, or {@code random} (a small random network, for tests)
     * @param modelDir the TF.js model directory; null for the shipped copy
     */
    public static NetworkFeatures load(SparkSession spark, String name, String modelDir) {
        String n = name.toLowerCase(Locale.ROOT);
        Object[] layer = LAYERS.get(n);
        if (layer == null) {
            throw new IllegalArgumentException("unknown feature network '" + name + "': use one of " + NAMES
                    + " or a classifier file");
        }
        ExtractorSpec value = ExtractorSpec.resolve(n, modelDir, null, spark.sparkContext().hadoopConfiguration());
        int size = switch (n) {
            case "mobilenet_v2" -> 224;
            case "inception_v3" -> 299;
            default -> 32;
        };
        Broadcast<ExtractorSpec> spec = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(value);
        return new NetworkFeatures(spec, value, (String) layer[0], (Integer) layer[1], size);
    }

    @Override
    public FeatureExtractor open() {
        FeatureNetwork network = ExecutorNetworks.get(spec.value());
        if (network.inputSize() != size) {
            throw new IllegalStateException(name + " takes " + network.inputSize() + " pixels, expected " + size);
        }
        return nchw -> {
            int n = (int) nchw.size(0);
            int c = (int) nchw.size(1);
            float[] rgb = AlignedBilinear.fromSignedNchw(nchw.dup('c').data().asFloat(), n, c, (int) nchw.size(2),
                    (int) nchw.size(3), size);
            INDArray out = network.forward(Nd4j.create(rgb, new long[]{n, 3, size, size}, 'c'), List.of(layer)).get(layer);
            INDArray pooled = out.rank() == 4 ? out.mean(2, 3) : out.reshape(n, -1);
            if (pooled.size(1) != dimension) {
                throw new IllegalStateException(name + " layer " + layer + " gives " + pooled.size(1)
                        + " features, expected " + dimension);
            }
            return pooled.toFloatMatrix();
        };
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int channels() {
        return 3;
    }

    @Override
    public boolean accepts(int height, int width, int channels) {
        return height > 0 && width > 0 && (channels == 1 || channels == 3);
    }

    @Override
    public String accepted() {
        return "gray or RGB images of any size (resized to " + size + "x" + size + ")";
    }

    @Override
    public Map<String, Object> preprocessing(int height, int width, int channels) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("input", height + "x" + width + "x" + channels);
        m.put("size", size);
        m.put("channels", 3);
        m.put("resize", "bilinear with aligned corners to " + size + "x" + size + " (tf.image.resizeBilinear, as nsfwjs)");
        m.put("scale", "pixel / 255, RGB");
        if (channels == 1) {
            m.put("gray", "the gray channel is replicated to R, G and B");
        }
        return m;
    }

    @Override
    public Map<String, Object> provenance() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("network", "random".equals(name) ? "random network (tests only)"
                : "nsfwjs " + name + ": ImageNet-initialised, fine-tuned as a 5-class classifier (Drawing, Hentai, "
                + "Neutral, Porn, Sexy)");
        m.put("name", "random".equals(name) ? name + ":" + layer
                : name + ":" + layer + " (fine-tuned nsfwjs, not ImageNet " + name + ")");
        m.put("layer", layer + ", global average of the last convolutional block");
        m.put("dimension", dimension);
        m.put("weights", source);
        m.put("comparable", "only with scores computed with this same network; not with published Inception FIDs");
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetworkFeatures other && other.key.equals(key) && other.layer.equals(layer);
    }

    @Override
    public int hashCode() {
        return key.hashCode() * 31 + layer.hashCode();
    }
}
