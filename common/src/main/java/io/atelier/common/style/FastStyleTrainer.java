package io.atelier.common.style;

import io.atelier.common.embed.ExtractorSpec;
import io.atelier.common.features.FeatureNetwork;
import io.atelier.common.features.KerasFeatureNetwork;
import io.atelier.common.features.KerasGraphBuilder;
import io.atelier.common.features.SameDiffSessions;
import io.atelier.common.image.PixelAdapter;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.nn.Adam;
import io.atelier.common.nn.HostArrays;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.ModelTrainer;
import io.atelier.common.train.Seeds;
import io.atelier.common.train.WorkerData;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * Trains a {@link TransformerNet} for one style with Johnson et al.'s perceptual losses (the same
 * content, Gram-matrix style and total-variation losses as Gatys, through the same feature
 * network), on the averaging engine. Each step takes {@code batch} random {@code crop x crop}
 * crops (with random horizontal flips) of the worker's images; every draw comes from
 * (seed, round, worker, step). The state holds the network's parameters ({@code net/NAME}) and
 * their Adam moments ({@code net/NAME.adam.m}, {@code .adam.v}); all are averaged across workers.
 */
public final class FastStyleTrainer implements ModelTrainer {
    static final String PREFIX = "net/";
    private static final String INPUT = "crops";
    private static final String TARGET = "content_target";
    private static final String TOTAL = "loss/total";
    private static final String STYLE = "loss/style";
    private static final String CONTENT = "loss/content";
    private static final String TV = "loss/tv";
    /** Purpose tag of the initial-weights stream. */
    private static final long INIT_STREAM = 0x494E4954L;

    /**
     * @param styleSize the style image's longer side when its Gram matrices are taken
     */
    public record Settings(TransformerNet.Config net, String contentLayer, LinkedHashMap<String, Double> styleLayers,
                           double contentWeight, double styleWeight, double tvWeight, int crop, int batch,
                           double learningRate, int styleSize) implements Serializable {
        public Settings {
            if (crop < 16 || crop % 4 != 0) {
                throw new InvalidSettingException("{crop} " + crop + ": use a multiple of 4, at least 16");
            }
            if (batch < 1) {
                throw new InvalidSettingException("{batch} " + batch + ": use at least 1");
            }
            if (!(learningRate > 0)) {
                throw new InvalidSettingException("{lr} " + learningRate + ": must be positive");
            }
            styleLayers = new LinkedHashMap<>(styleLayers);
        }
    }

    private final Settings settings;
    private final ExtractorSpec features;
    private final byte[] styleImage;
    private final List<byte[]> previews;
    private final int sampleHeight;
    private final int sampleWidth;

    /**
     * @param styleImage encoded style picture
     * @param previews   encoded pictures the sample grids stylize (a few of the training images)
     * @param sampleSize {height, width} of sample-grid cells: the dataset's image size
     */
    public FastStyleTrainer(Settings settings, ExtractorSpec features, byte[] styleImage, List<byte[]> previews,
                            int[] sampleSize) {
        this.settings = settings;
        this.features = features;
        this.styleImage = styleImage.clone();
        this.previews = List.copyOf(previews);
        this.sampleHeight = sampleSize[0];
        this.sampleWidth = sampleSize[1];
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public TrainingState initialState(long seed) {
        LinkedHashMap<String, float[]> t = new LinkedHashMap<>();
        Map<String, float[]> init = TransformerNet.initial(settings.net(), Seeds.derive(seed, INIT_STREAM));
        init.forEach((name, v) -> {
            t.put(PREFIX + name, v);
            t.put(PREFIX + name + ".adam.m", new float[v.length]);
            t.put(PREFIX + name + ".adam.v", new float[v.length]);
        });
        return new TrainingState(t, 0, 0);
    }

    /** The network's parameters out of a training state. */
    public static Map<String, float[]> params(TrainingState state, TransformerNet.Config config) {
        Map<String, float[]> p = new LinkedHashMap<>();
        for (String name : TransformerNet.shapes(config).keySet()) {
            p.put(name, state.get(PREFIX + name));
        }
        return p;
    }

    @Override
    public LocalWorker newWorker() {
        return new Worker();
    }

    @Override
    public int imagesPerStep() {
        return settings.batch();
    }

    @Override
    public List<String> metricNames() {
        return List.of("loss", "style", "content", "tv");
    }

    /** The preview pictures stylized by the state's network, at the dataset's size, in [-1, 1]. */
    @Override
    public float[] sampleGrid(TrainingState state, long seed, int count) {
        return sampleGrid(state, count, sampleHeight, sampleWidth);
    }

    /** Each grid cell: a preview picture (in turn) stylized, {@code height x width}, values in [-1, 1]. */
    public float[] sampleGrid(TrainingState state, int count, int height, int width) {
        FastStyleModel model = new FastStyleModel("preview", "", settings.net(), params(state, settings.net()), Map.of());
        FastStylizer stylizer = new FastStylizer(model, Math.max(height, width), false);
        int h4 = Math.max(4, height / 4 * 4);
        int w4 = Math.max(4, width / 4 * 4);
        float[] out = new float[count * 3 * height * width];
        for (int i = 0; i < count; i++) {
            BufferedImage picture = decode(previews.isEmpty() ? styleImage : previews.get(i % previews.size()));
            INDArray y = stylizer.run(StyleImages.toUnit(picture, h4, w4));
            if (h4 != height || w4 != width) {
                y = StyleImages.resize(y, height, width);
            }
            // The transformer network works channels first; sample grids are NHWC.
            float[] v = y.castTo(DataType.FLOAT).permute(0, 2, 3, 1).dup('c').data().asFloat();
            for (int j = 0; j < v.length; j++) {
                out[i * v.length + j] = v[j] * 2 - 1;
            }
        }
        return out;
    }

    static BufferedImage decode(byte[] encoded) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(encoded));
            if (image == null) {
                throw new IllegalArgumentException("not an image ImageIO can read");
            }
            BufferedImage rgb = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
            rgb.createGraphics().drawImage(image, 0, 0, java.awt.Color.WHITE, null);
            return rgb;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Holds the loss graph (transformer + feature network) and the target graph across rounds. */
    private final class Worker implements LocalWorker {
        private final SameDiff sd = SameDiff.create();
        private final Map<String, SDVariable> params = new LinkedHashMap<>();
        private final FeatureTargets contentTargets;
        private final Map<String, long[]> shapes = TransformerNet.shapes(settings.net());
        private final Map<String, INDArray> m = new LinkedHashMap<>();
        private final Map<String, INDArray> v = new LinkedHashMap<>();
        private final Adam adam = new Adam(settings.learningRate());
        private final List<String> names = new ArrayList<>();
        private WorkerData data;

        Worker() {
            FeatureNetwork built = features.build();
            if (!(built instanceof KerasFeatureNetwork net)) {
                throw new IllegalArgumentException("feature network " + features.name() + " cannot be differentiated");
            }
            Settings s = settings;
            INDArray style = StyleImages.toUnitLongest(decode(styleImage), s.styleSize());
            Map<String, INDArray> grams = FeatureTargets.of(net, style, s.styleLayers().keySet(), s.contentLayer()).grams();
            contentTargets = new FeatureTargets(net, s.batch(), s.crop(), s.crop(), s.styleLayers().keySet(), s.contentLayer());

            SDVariable x = sd.placeHolder(INPUT, DataType.FLOAT, s.batch(), 3, s.crop(), s.crop());
            SDVariable y = TransformerNet.build(sd, x, s.net(), (name, shape) ->
                    params.computeIfAbsent(name, n -> sd.var("param/" + n, Nd4j.zeros(DataType.FLOAT, shape))));
            KerasGraphBuilder.Built features = net.attach(sd, y, s.crop(), s.crop());
            long[] cs = features.shapes().get(s.contentLayer());
            SDVariable target = sd.placeHolder(TARGET, DataType.FLOAT, s.batch(), cs[0], cs[1], cs[2]);
            SDVariable content = StyleLosses.contentLoss(sd, CONTENT, features.outputs().get(s.contentLayer()), target);
            SDVariable styleLoss = null;
            for (Map.Entry<String, Double> layer : s.styleLayers().entrySet()) {
                String name = layer.getKey();
                long[] ls = features.shapes().get(name);
                SDVariable gram = StyleLosses.gramBatch(sd, "gram/" + name, features.outputs().get(name), s.batch(),
                        ls[0], ls[1], ls[2]);
                SDVariable term = StyleLosses.styleLoss(sd, "loss/style/" + name, gram,
                        sd.constant("target/gram/" + name, grams.get(name))).mul(layer.getValue());
                styleLoss = styleLoss == null ? term : styleLoss.add(term);
            }
            styleLoss = sd.identity(STYLE, styleLoss);
            SDVariable tv = StyleLosses.totalVariation(sd, TV, y, s.crop(), s.crop());
            SDVariable total = content.mul(s.contentWeight()).add(styleLoss.mul(s.styleWeight())).add(tv.mul(s.tvWeight()));
            sd.identity(TOTAL, total);
            sd.setLossVariables(TOTAL);
            params.values().forEach(p -> names.add(p.name()));
        }

        @Override
        public void bind(TrainingState state, WorkerData workerData) {
            if (workerData.channels() != 3 || workerData.height() < settings.crop() || workerData.width() < settings.crop()) {
                throw new IllegalArgumentException("fast style training needs colour images of at least " + settings.crop()
                        + "x" + settings.crop() + " pixels; worker " + workerData.worker() + " has " + workerData.channels()
                        + "x" + workerData.height() + "x" + workerData.width());
            }
            data = workerData;
            for (Map.Entry<String, SDVariable> p : params.entrySet()) {
                long[] shape = shapes.get(p.getKey());
                p.getValue().setArray(HostArrays.of(state.get(PREFIX + p.getKey()), shape));
                m.put(p.getKey(), HostArrays.of(state.get(PREFIX + p.getKey() + ".adam.m"), shape));
                v.put(p.getKey(), HostArrays.of(state.get(PREFIX + p.getKey() + ".adam.v"), shape));
            }
        }

        @Override
        public void step(long runSeed, int round, long step, double[] metrics) {
            SplittableRandom random = new SplittableRandom(Seeds.derive(runSeed, round, data.worker(), step));
            INDArray crops = crops(data, random);
            INDArray target = contentTargets.compute(crops).content();
            OutAndGrad r;
            try {
                r = sd.calculateGradientsAndOutputs(Map.of(INPUT, crops, TARGET, target),
                        List.of(TOTAL, STYLE, CONTENT, TV), names);
            } finally {
                SameDiffSessions.end(sd); // the worker's graph lives for the whole run
            }
            for (Map.Entry<String, SDVariable> p : params.entrySet()) {
                adam.step(p.getValue().getArr(), r.getGradients().get(p.getValue().name()), m.get(p.getKey()),
                        v.get(p.getKey()), step + 1);
            }
            metrics[0] = r.getOutputs().get(TOTAL).getDouble(0);
            metrics[1] = r.getOutputs().get(STYLE).getDouble(0);
            metrics[2] = r.getOutputs().get(CONTENT).getDouble(0);
            metrics[3] = r.getOutputs().get(TV).getDouble(0);
        }

        @Override
        public void unbind(TrainingState state) {
            for (Map.Entry<String, SDVariable> p : params.entrySet()) {
                state.put(PREFIX + p.getKey(), HostArrays.toArray(p.getValue().getArr()));
                state.put(PREFIX + p.getKey() + ".adam.m", HostArrays.toArray(m.get(p.getKey())));
                state.put(PREFIX + p.getKey() + ".adam.v", HostArrays.toArray(v.get(p.getKey())));
            }
            m.clear();
            v.clear();
            data = null;
        }

        /** {@code batch} random crops (each flipped left-right with probability 1/2), RGB in [0, 1]. */
        private INDArray crops(WorkerData data, SplittableRandom random) {
            int crop = settings.crop();
            int n = settings.batch();
            int h = data.height();
            int w = data.width();
            float[] out = new float[n * crop * crop * 3];
            byte[] px = data.pixels();
            for (int b = 0; b < n; b++) {
                int image = random.nextInt(data.count());
                int top = random.nextInt(h - crop + 1);
                int left = random.nextInt(w - crop + 1);
                boolean flip = random.nextBoolean();
                for (int r = 0; r < crop; r++) {
                    for (int col = 0; col < crop; col++) {
                        int sc = flip ? left + crop - 1 - col : left + col;
                        int src = ((image * h + top + r) * w + sc) * 3;
                        int dst = ((b * crop + r) * crop + col) * 3;
                        for (int c = 0; c < 3; c++) {
                            out[dst + c] = (px[src + c] & 0xFF) / 255f;
                        }
                    }
                }
            }
            // Crops in stored order (NHWC, BGR); the transformer network takes RGB channels first.
            INDArray stored = Nd4j.create(out, new long[]{n, crop, crop, 3}, 'c');
            INDArray rgb = PixelAdapter.storedToRgb(stored, Nd4j.create(DataType.FLOAT, stored.shape(), 'c'));
            return rgb.permute(0, 3, 1, 2).dup('c');
        }
    }
}
