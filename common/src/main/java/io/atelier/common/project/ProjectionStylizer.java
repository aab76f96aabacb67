package io.atelier.common.project;

import io.atelier.common.families.stylegan.StyleGanProjector;
import io.atelier.common.image.ImageFit;
import io.atelier.common.image.PixelAdapter;
import io.atelier.common.image.SparkImage;
import io.atelier.common.style.ImageStylizer;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The projector as an {@link ImageStylizer}: each picture is resized whole (stretched, as
 * translate does) to the model's {@code size x size}, made grey for a one-channel model, and
 * projected with the others of its batch; the result is the reconstruction plus the values of
 * {@link ProjectJob#EXTRA}. An image's random draws are keyed by its fitted pixels, so its
 * projection depends on the batch it lands in only through the rounding of batched kernels.
 * Calls take turns (one projector).
 */
final class ProjectionStylizer implements ImageStylizer {
    private final StyleGanProjector projector;
    private final StyleGanProjector.Options options;
    private final int size;
    private final int channels;
    private final String modelSha256;

    ProjectionStylizer(StyleGanProjector projector, StyleGanProjector.Options options, int size, int channels,
                       String modelSha256) {
        this.projector = projector;
        this.options = options;
        this.size = size;
        this.channels = channels;
        this.modelSha256 = modelSha256;
    }

    @Override
    public BufferedImage stylize(BufferedImage content) {
        return stylizeBatch(List.of(content)).get(0).image();
    }

    @Override
    public synchronized List<Stylized> stylizeBatch(List<BufferedImage> contents) {
        List<Stylized> out = new ArrayList<>(contents.size());
        for (int from = 0; from < contents.size(); from += projector.maxRows()) {
            out.addAll(projectSome(contents.subList(from, Math.min(contents.size(), from + projector.maxRows()))));
        }
        return out;
    }

    private List<Stylized> projectSome(List<BufferedImage> contents) {
        int n = contents.size();
        List<SparkImage> fitted = new ArrayList<>(n);
        for (BufferedImage c : contents) {
            fitted.add(SparkImage.fromRgb("", ImageFit.STRETCH.apply(c, size), channels));
        }
        INDArray nchw = PixelAdapter.toNchw(fitted);
        long[] keys = new long[n];
        int floats = channels * size * size;
        float[] all = nchw.data().asFloat();
        for (int i = 0; i < n; i++) {
            keys[i] = Arrays.hashCode(Arrays.copyOfRange(all, i * floats, (i + 1) * floats));
        }
        StyleGanProjector.Result r = projector.project(PixelAdapter.toNhwc(fitted), keys, n, options);
        List<BufferedImage> images = PixelAdapter.toImages(r.images());
        List<Stylized> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            BufferedImage c = contents.get(i);
            String resizedFrom = c.getWidth() == size && c.getHeight() == size ? null
                    : c.getWidth() + "x" + c.getHeight();
            double feature = r.featureDistance()[i];
            out.add(new Stylized(images.get(i), Arrays.asList(
                    r.latents()[i], options.space().id(), r.l1()[i], r.mse()[i],
                    Double.isNaN(feature) ? null : feature, r.mseAtStart()[i], options.steps(), modelSha256,
                    resizedFrom)));
        }
        return out;
    }
}
