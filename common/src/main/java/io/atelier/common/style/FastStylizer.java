package io.atelier.common.style;

import io.atelier.common.features.SameDiffSessions;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.awt.image.BufferedImage;
import java.util.Map;

/**
 * One forward pass of a trained {@link FastStyleModel}. The content is resized to {@code size}
 * (longer side), rounded to the network's multiple of 4, stylized, and resized back to the exact
 * aspect-kept size. One graph serves every image size.
 */
public final class FastStylizer implements ImageStylizer {
    private static final String INPUT = "content";

    private final SameDiff sd = SameDiff.create();
    private final String output;
    private final int size;
    private final boolean preserveColor;

    public FastStylizer(FastStyleModel model, int size, boolean preserveColor) {
        if (size < 16) {
            throw new IllegalArgumentException("--size " + size + ": use at least 16 pixels");
        }
        this.size = size;
        this.preserveColor = preserveColor;
        SDVariable input = sd.placeHolder(INPUT, DataType.FLOAT, -1, 3, -1, -1);
        this.output = TransformerNet.build(sd, input, model.config(), TransformerNet.constants(sd, model.params())).name();
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
        try {
            return sd.output(Map.of(INPUT, nchw.castTo(DataType.FLOAT)), output).get(output);
        } finally {
            SameDiffSessions.end(sd); // one network serves every image of an executor: keep its heap flat
        }
    }
}
