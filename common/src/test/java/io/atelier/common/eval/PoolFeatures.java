package io.atelier.common.eval;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/** A stand-in feature network for tests: mean of each cell of a grid over the image (all channels). */
record PoolFeatures(int size, int channels, int cell) implements FeatureSource {
    @Override
    public FeatureExtractor open() {
        return this::pool;
    }

    private float[][] pool(INDArray nchw) {
        int n = (int) nchw.size(0);
        float[] v = nchw.dup('c').data().asFloat();
        int cells = size / cell;
        float[][] out = new float[n][cells * cells];
        int plane = size * size;
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < channels; c++) {
                for (int y = 0; y < cells * cell; y++) {
                    for (int x = 0; x < cells * cell; x++) {
                        out[i][(y / cell) * cells + x / cell] += v[(i * channels + c) * plane + y * size + x];
                    }
                }
            }
            for (int f = 0; f < out[i].length; f++) {
                out[i][f] /= cell * cell * channels;
            }
        }
        return out;
    }

    @Override
    public int dimension() {
        return (size / cell) * (size / cell);
    }

    @Override
    public Map<String, Object> provenance() {
        return Map.of("name", "pool" + cell);
    }
}
