package io.atelier.common.translate;

import io.atelier.common.families.cyclegan.CycleGanTranslator;
import io.atelier.common.image.ImageFit;
import io.atelier.common.image.ImageTensors;
import io.atelier.common.image.SparkImage;
import io.atelier.common.style.ImageStylizer;
import org.nd4j.linalg.factory.Nd4j;

import java.awt.image.BufferedImage;
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
    public synchronized BufferedImage stylize(BufferedImage content) {
        SparkImage fitted = SparkImage.fromRgb("", ImageFit.STRETCH.apply(content, size), channels);
        float[] in = ImageTensors.toNchw(List.of(fitted)).data().asFloat();
        float[] out = translator.translate(in, direction);
        return ImageTensors.toImages(Nd4j.create(out, new long[]{1, channels, size, size}, 'c')).get(0);
    }
}
