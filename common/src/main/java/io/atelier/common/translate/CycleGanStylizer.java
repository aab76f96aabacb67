package io.atelier.common.translate;

import io.atelier.common.families.cyclegan.CycleGanTranslator;
import io.atelier.common.image.ImageFit;
import io.atelier.common.image.PixelAdapter;
import io.atelier.common.image.SparkImage;
import io.atelier.common.style.ImageStylizer;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * A CycleGAN generator as an {@link ImageStylizer}: the whole picture is resized (stretched, not
 * cropped) to the model's {@code size x size}, turned grey for a one-channel model, translated in
 * one direction, and returned at the model's size. One instance serves every task of an executor,
 * so calls take turns (the translator holds its buffers).
 */
final class CycleGanStylizer implements ImageStylizer {
    private final CycleGanTranslator translator;
    private final CycleGanTranslator.Direction direction;
    private final int size;
    private final int channels;

    CycleGanStylizer(CycleGanTranslator translator, CycleGanTranslator.Direction direction, int size, int channels) {
        this.translator = translator;
        this.direction = direction;
        this.size = size;
        this.channels = channels;
    }

    @Override
    public BufferedImage stylize(BufferedImage content) {
        return stylizeBatch(List.of(content)).get(0).image();
    }

    /** The pictures in one batch of the translator (rows are independent: instance norm per image). */
    @Override
    public synchronized List<Stylized> stylizeBatch(List<BufferedImage> contents) {
        List<SparkImage> fitted = new ArrayList<>(contents.size());
        for (BufferedImage c : contents) {
            fitted.add(SparkImage.fromRgb("", ImageFit.STRETCH.apply(c, size), channels));
        }
        float[] in = PixelAdapter.toNhwc(fitted).data().asFloat();
        float[] out = translator.translate(in, direction);
        List<Stylized> result = new ArrayList<>(contents.size());
        for (BufferedImage image : PixelAdapter.toImages(out, contents.size(), size, size, channels)) {
            result.add(new Stylized(image, List.of()));
        }
        return result;
    }
}
