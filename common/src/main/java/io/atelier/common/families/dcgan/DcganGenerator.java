package io.atelier.common.families.dcgan;

import io.atelier.common.nn.Activation;
import io.atelier.common.nn.BatchNormAct;
import io.atelier.common.nn.Conv2d;
import io.atelier.common.nn.Dense;
import io.atelier.common.nn.HostArrays;
import io.atelier.common.nn.Layer;
import io.atelier.common.nn.Params;
import io.atelier.common.nn.PatchConv2d;
import io.atelier.common.nn.RunningStats;
import io.atelier.common.nn.Sequential;
import io.atelier.common.nn.Tensor;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The runtime generator of a {@link DcganArchitecture}: buffers for up to {@code maxRows}
 * samples, built once. Callers write z (and labels) with {@link #setInput}, then run
 * {@link #forward}; images come out as NHWC rows in [-1, 1] (see {@link io.atelier.common.image.PixelAdapter}).
 */
public final class DcganGenerator {
    private final DcganArchitecture arch;
    private final Params params;
    private final RunningStats stats;
    private final Sequential net;
    private final Tensor input;
    /** Conditional only: z, the one-hot labels (and their heap staging rows) and the looked-up embeddings. */
    private final Tensor z;
    private final Tensor oneHot;
    private final float[] oneHotRows;
    private final Tensor embedded;
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
        boolean conditional = arch.conditional();
        this.z = conditional ? new Tensor(maxRows, arch.latentDim()) : null;
        this.oneHot = conditional ? new Tensor(maxRows, arch.numClasses()) : null;
        this.oneHotRows = conditional ? new float[maxRows * arch.numClasses()] : null;
        this.embedded = conditional ? new Tensor(maxRows, arch.labelEmbedding()) : null;
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
     * embedding of {@code labels[r]} after it (a one-hot row times the embedding table).
     */
    public void setInput(float[] zs, int[] rowLabels, int n) {
        if (!arch.conditional()) {
            HostArrays.load(flat(input.matrix(n)), zs);
            rows = n;
            return;
        }
        int classes = arch.numClasses();
        Arrays.fill(oneHotRows, 0, n * classes, 0f);
        for (int r = 0; r < n; r++) {
            int label = rowLabels[r];
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("label " + label + " outside [0, " + classes + ")");
            }
            oneHotRows[r * classes + label] = 1f;
        }
        HostArrays.load(flat(oneHot.matrix(n)), oneHotRows);
        HostArrays.load(flat(z.matrix(n)), zs);
        Nd4j.gemm(oneHot.matrix(n), params.value("label_embedding"), embedded.matrix(n), false, false, 1.0, 0.0);
        Nd4j.exec(DynamicCustomOp.builder("concat")
                .addInputs(z.matrix(n), embedded.matrix(n))
                .addOutputs(input.matrix(n))
                .addIntegerArguments(1)
                .build());
        rows = n;
    }

    /**
     * The leading rows as one vector: host copies need a dense tensor, and a single row of a
     * matrix view does not count as one by ND4J's stride test.
     */
    static INDArray flat(INDArray rows) {
        return rows.reshape(rows.length());
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
            // Each embedding row's gradient is the sum of its rows' input gradients: one-hot^T * dL/d(embedded).
            INDArray gEmbedded = gin.matrix(n).get(NDArrayIndex.all(),
                    NDArrayIndex.interval(arch.latentDim(), arch.generatorInput()));
            Nd4j.gemm(oneHot.matrix(n), gEmbedded, params.grad("label_embedding"), true, false, 1.0, 0.0);
        }
    }
}
