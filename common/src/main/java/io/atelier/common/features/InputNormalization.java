package io.atelier.common.features;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.factory.Nd4j;

/** How a network wants its RGB [0, 1] NHWC input, applied inside the graph so gradients pass through. */
public enum InputNormalization {
    /** As given: RGB in [0, 1] (the nsfwjs TF.js models). */
    UNIT,
    /** Keras "caffe" mode (VGG): BGR, 0..255, ImageNet channel means subtracted. */
    CAFFE;

    private static final float[] CAFFE_BGR_MEAN = {103.939f, 116.779f, 123.68f};

    SDVariable apply(SameDiff sd, SDVariable rgbUnitNhwc) {
        return switch (this) {
            case UNIT -> rgbUnitNhwc;
            case CAFFE -> {
                SDVariable bgr = sd.reverse("input/bgr", rgbUnitNhwc, 3);
                SDVariable scaled = sd.math().mul("input/scaled", bgr, sd.constant("input/255", Nd4j.scalar(255f)));
                yield sd.math().sub("input/centred", scaled,
                        sd.constant("input/mean", Nd4j.createFromArray(CAFFE_BGR_MEAN)));
            }
        };
    }
}
