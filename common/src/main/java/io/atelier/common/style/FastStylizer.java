package io.atelier.common.style;

import io.atelier.common.features.SameDiffSessions;
import io.atelier.common.io.InvalidSettingException;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One forward pass of a trained {@link FastStyleModel}. The content is resized to {@code size}
 * (longer side), rounded to the network's multiple of 4, stylized, and resized back to the exact
 * aspect-kept size.
 *
 * <p>Each input shape gets its own graph, kept in a small least-recently-used cache: a graph of
 * known size mirrors borders with slices, which runs about 4x faster than the pad op an any-size
 * graph needs (measured at 256 px on one core: 0.27 vs 1.0-1.3 s per image), and builds in well
 * under a second. A catalog resized to one longer side has few distinct shapes.
 */
public final class FastStylizer implements ImageStylizer {
    private static final String INPUT = "content";
    /** Distinct input shapes whose graphs stay built. */
    static final int GRAPHS = 16;

    private final FastStyleModel model;
    private final Map<List<Long>, Graph> graphs = new LinkedHashMap<>(GRAPHS, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<List<Long>, Graph> eldest) {
            return size() > GRAPHS;
        }
    };
    private final int size;
    private final boolean preserveColor;
    private final boolean graphPerShape;

    /** The network built for one input shape. */
    private record Graph(SameDiff sd, String output) {
    }

    public FastStylizer(FastStyleModel model, int size, boolean preserveColor) {
        this(model, size, preserveColor, true);
    }

    /**
     * @param graphPerShape false: one graph for every shape (the pad-op border; kept so the
     *                      benchmark can time both side by side)
     */
    public FastStylizer(FastStyleModel model, int size, boolean preserveColor, boolean graphPerShape) {
        if (size < 16) {
            throw new InvalidSettingException("{size} " + size + ": use at least 16 pixels");
        }
        this.size = size;
        this.preserveColor = preserveColor;
        this.model = model;
        this.graphPerShape = graphPerShape;
    }

    @Override
    public BufferedImage stylize(BufferedImage content) {
        int[] hw = StyleImages.fitLongest(content.getHeight(), content.getWidth(), size);
        // At least 8: the 9x9 convolutions reflect 4 pixels, which needs 5 on each side.
        int h4 = Math.max(8, Math.round(hw[0] / 4f) * 4);
        int w4 = Math.max(8, Math.round(hw[1] / 4f) * 4);
        INDArray x = StyleImages.toUnit(content, h4, w4);
        INDArray y = run(x);
        if (h4 != hw[0] || w4 != hw[1]) {
            y = StyleImages.resize(y, hw[0], hw[1]);
            x = StyleImages.toUnit(content, hw[0], hw[1]);
        }
        return StyleImages.toImage(preserveColor ? StyleImages.luminanceOnly(y, x) : y, 0);
    }

    /** {@code [n, 3, h, w]} in [0, 1] with sides multiples of 4 -> the stylized batch. */
    public synchronized INDArray run(INDArray nchw) {
        if (nchw.size(2) % 4 != 0 || nchw.size(3) % 4 != 0) {
            throw new IllegalArgumentException("the fast style network takes sides that are multiples of 4, got "
                    + nchw.size(2) + "x" + nchw.size(3));
        }
        List<Long> shape = graphPerShape ? List.of(nchw.shape()[0], nchw.shape()[1], nchw.shape()[2], nchw.shape()[3])
                : List.of(-1L, 3L, -1L, -1L);
        Graph g = graphs.computeIfAbsent(shape, this::build);
        try {
            return g.sd().output(Map.of(INPUT, nchw.castTo(DataType.FLOAT)), g.output()).get(g.output());
        } finally {
            SameDiffSessions.end(g.sd()); // one network serves every image of an executor: keep its heap flat
        }
    }

    /** Distinct input shapes with a graph built now (at most {@link #GRAPHS}). */
    synchronized int graphsBuilt() {
        return graphs.size();
    }

    private Graph build(List<Long> shape) {
        SameDiff sd = SameDiff.create();
        SDVariable input = sd.placeHolder(INPUT, DataType.FLOAT, shape.get(0), shape.get(1), shape.get(2), shape.get(3));
        String output = TransformerNet.build(sd, input, model.config(), TransformerNet.constants(sd, model.params())).name();
        return new Graph(sd, output);
    }
}
