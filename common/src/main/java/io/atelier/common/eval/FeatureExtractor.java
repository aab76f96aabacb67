package io.atelier.common.eval;

import org.nd4j.linalg.api.ndarray.INDArray;

/** The executor side of a feature network: images in, one feature vector per image out. */
public interface FeatureExtractor {
    /**
     * @param nchw images [n, c, h, w] in [-1, 1], channels in RGB order
     * @return n vectors of {@link FeatureSource#dimension()} values
     */
    float[][] features(INDArray nchw);
}
