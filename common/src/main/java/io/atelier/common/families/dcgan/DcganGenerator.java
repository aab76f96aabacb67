package io.atelier.common.families.dcgan;

import io.atelier.common.nn.Activation;
import io.atelier.common.nn.BatchNormAct;
import io.atelier.common.nn.Conv2d;
import io.atelier.common.nn.Dense;
import io.atelier.common.nn.Layer;
import io.atelier.common.nn.Params;
import io.atelier.common.nn.PatchConv2d;
import io.atelier.common.nn.RunningStats;
import io.atelier.common.nn.Sequential;
import io.atelier.common.nn.Tensor;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The runtime generator of a {@link DcganArchitecture}: buffers for up to {@code maxRows}
 * samples, built once. Callers write z (and labels) with {@link #setInput}, then run
 * {@link #forward}; images come out as NHWC rows in [-1, 1] (see {@link Layouts}).
 */
public final class DcganGenerator {
    private final DcganArchitecture arch;
    private final Params params;
    private final RunningStats stats;
    private final Sequential net;
    private final Tensor input;
    private final int[] labels;
    private int rows;

    public DcganGenerator(DcganArchitecture arch, int maxRows) {
        this.arch = arch;
        this.params = new Params(arch.generatorParams());
        this.stats = new RunningStats(arch.generatorStats());
        int s0 = arch.startSize();
        int c0 = arch.generatorChannels(0);
        List<Layer> layers = new ArrayList<>();
        layers.add(new Dense(params, "fc", arch.generatorInput(), c0 * s0 * s0, maxRows, s0, s0, c0));
        layers.add(new BatchNormAct(params, stats, "fc_bn", Activation.RELU, maxRows, 1, c0 * s0 * s0));
        int side = s0;
        for (int i = 1; i < arch.stages(); i++) {
            Conv2d up = new Conv2d(params, "up" + i, true, arch.generatorChannels(i - 1), arch.generatorChannels(i),
                    DcganArchitecture.KERNEL, DcganArchitecture.STRIDE, DcganArchitecture.PAD, side, side, maxRows);
            layers.add(up);
            side *= 2;
            layers.add(new BatchNormAct(params, stats, "up" + i + "_bn", Activation.RELU, maxRows, 1, up.outShape()));
        }
        // The image side has 1-3 channels: patches and one matrix product beat the kernels there.
        PatchConv2d out = new PatchConv2d(params, "out", true, arch.generatorChannels(arch.stages() - 1), arch.channels(),
                DcganArchitecture.KERNEL, DcganArchitecture.STRIDE, DcganArchitecture.PAD, side, side, maxRows, Activation.TANH);
        layers.add(out);
        this.net = new Sequential(layers);
        this.input = new Tensor(maxRows, arch.generatorInput());
        this.labels = new int[maxRows];
        long[] shape = out.outShape();
        if (shape[0] != arch.imageSize() || shape[1] != arch.imageSize()) {
            throw new IllegalStateException("generator produces " + shape[0] + "x" + shape[1] + ", expected " + arch.imageSize());
        }
    }

    public DcganArchitecture architecture() {
        return arch;
    }

    public Params params() {
        return params;
    }

    public RunningStats stats() {
        return stats;
    }

    public int maxRows() {
        return input.maxRows();
    }

    /**
     * Writes n rows of input: z from {@code z} (n * latentDim floats) and, when conditional, the
     * embedding of {@code labels[r]} after it.
     */
    public void setInput(float[] z, int[] rowLabels, int n) {
        int zd = arch.latentDim();
        int in = arch.generatorInput();
        FloatBuffer x = input.floats();
        if (!arch.conditional()) {
            x.put(0, z, 0, n * zd);
            rows = n;
            return;
        }
        int e = arch.labelEmbedding();
        FloatBuffer p = params.hostValues();
        int emb = params.offset("label_embedding");
        for (int r = 0; r < n; r++) {
            int label = rowLabels[r];
            if (label < 0 || label >= arch.numClasses()) {
                throw new IllegalArgumentException("label " + label + " outside [0, " + arch.numClasses() + ")");
            }
            labels[r] = label;
            x.put(r * in, z, r * zd, zd);
            for (int j = 0; j < e; j++) {
                x.put(r * in + zd + j, p.get(emb + label * e + j));
            }
        }
        rows = n;
    }

    public Tensor forward(int n, Layer.Pass pass) {
        if (n != rows) {
            throw new IllegalStateException("input holds " + rows + " rows, asked to run " + n);
        }
        return net.forward(input, n, pass);
    }

    /** Fills the parameter gradients from the gradient of the images of the last forward pass. */
    public void backward(Tensor gradImages, int n) {
        boolean conditional = arch.conditional();
        Tensor gin = net.backward(gradImages, n, Layer.Grads.ALL, conditional);
        if (conditional) {
            int zd = arch.latentDim();
            int in = arch.generatorInput();
            int e = arch.labelEmbedding();
            FloatBuffer g = params.hostGrads();
            int emb = params.offset("label_embedding");
            for (int i = 0; i < arch.numClasses() * e; i++) {
                g.put(emb + i, 0f);
            }
            FloatBuffer gi = gin.floats();
            for (int r = 0; r < n; r++) {
                int base = emb + labels[r] * e;
                for (int j = 0; j < e; j++) {
                    g.put(base + j, g.get(base + j) + gi.get(r * in + zd + j));
                }
            }
        }
    }
}
