package io.atelier.common.nn;

import java.util.List;

/** Layers run in order forward and in reverse backward, over the layers' own buffers. */
public final class Sequential {
    private final List<Layer> layers;

    public Sequential(List<Layer> layers) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a network needs at least one layer");
        }
        this.layers = List.copyOf(layers);
    }

    public List<Layer> layers() {
        return layers;
    }

    public Tensor forward(Tensor in, int n, Layer.Pass pass) {
        Tensor t = in;
        for (Layer l : layers) {
            t = l.forward(t, n, pass);
        }
        return t;
    }

    /**
     * Backpropagates {@code gradOut} (gradient of the last output). {@code grads} applies to every
     * layer except the first, whose input gradient is only computed when {@code inputGrad}.
     */
    public Tensor backward(Tensor gradOut, int n, Layer.Grads grads, boolean inputGrad) {
        Tensor g = gradOut;
        for (int i = layers.size() - 1; i >= 0; i--) {
            Layer.Grads mode = grads;
            if (i == 0 && !inputGrad) {
                mode = Layer.Grads.PARAMS;
            }
            g = layers.get(i).backward(g, n, mode);
        }
        return g;
    }
}
