package io.atelier.torch;

import io.atelier.common.bench.GanStep;
import io.atelier.common.bench.GanStepBenchmark;
import io.atelier.common.families.dcgan.DcganArchitecture;
import io.atelier.common.families.dcgan.DcganConfig;
import io.atelier.common.families.dcgan.DcganTrainer;
import io.atelier.common.families.dcgan.DcganWorker;
import io.atelier.common.image.PixelAdapter;
import io.atelier.common.nn.ParamLayout;
import io.atelier.common.train.WorkerData;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.BatchNorm1dImpl;
import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.BatchNormOptions;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Conv2dOptions;
import org.bytedeco.pytorch.ConvTranspose2dImpl;
import org.bytedeco.pytorch.ConvTranspose2dOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Atelier's reference DCGAN step written as a PyTorch user would, every op a libtorch kernel
 * (its convolutions, batch norm, autograd and {@code torch::optim::Adam}) through the bytedeco
 * presets: G z -> Linear + BatchNorm1d + ReLU -> [C0, 7, 7] -> ConvTranspose2d(k4 s2 p1) +
 * BatchNorm2d + ReLU -> ConvTranspose2d(k4 s2 p1) + tanh; D Conv2d(k4 s2 p1) + LeakyReLU 0.2 ->
 * Conv2d(k4 s2 p1) + BatchNorm2d + LeakyReLU 0.2 -> Linear -> 1, every layer with a bias as in
 * Atelier. A step: G forward once; D update on the real batch and the detached fakes as two
 * passes (batch statistics per half, as Atelier's one pass over [real; fake] computes them);
 * G update through the updated D with the non-saturating loss and D's weights frozen; BCE with
 * logits, Adam with the config's rate, betas and eps 1e-8.
 *
 * <p>It starts from Atelier's initial state and draws the same real batch and z for step i
 * ({@link DcganWorker#drawInputs}), so both backends compute the same numbers. The weights copy
 * over unchanged (Atelier keeps PyTorch's weight layouts) except where a linear layer meets a
 * feature map: Atelier's activations are NHWC, so its 6272 flat features run (h, w, c) where
 * PyTorch's run (c, h, w); those rows (G's Linear and BatchNorm1d) and columns (D's Linear) are
 * permuted on the way in and back.
 */
public final class LibtorchGanStep implements GanStep {
    static final String NAME = "libtorch";
    private static final double ADAM_EPS = 1e-8;

    private final DcganArchitecture arch;
    private final WorkerData data;
    private final int batch;
    private final int previousThreads;
    private final int side;
    private final int gChannels;
    private final int dChannels;
    private final LinearImpl gFc;
    private final BatchNorm1dImpl gFcBn;
    private final ConvTranspose2dImpl gUp;
    private final BatchNorm2dImpl gUpBn;
    private final ConvTranspose2dImpl gOut;
    private final Conv2dImpl dConv0;
    private final Conv2dImpl dConv1;
    private final BatchNorm2dImpl dConv1Bn;
    private final LinearImpl dFc;
    private final Map<String, Tensor> gParams = new LinkedHashMap<>();
    private final Map<String, Tensor> gStats = new LinkedHashMap<>();
    private final Map<String, Tensor> dParams = new LinkedHashMap<>();
    private final Map<String, Tensor> dStats = new LinkedHashMap<>();
    private final TensorVector dParamVector = new TensorVector();
    private final Adam adamG;
    private final Adam adamD;
    private final Scalar slope = new Scalar(0.2);
    private final Tensor ones;
    private final Tensor zeros;
    private final int[] indices;
    private final float[] realPixels;
    private final int[] realLabels;
    private final float[] z;

    /** A step from {@code start}'s state and images, on {@code threads} threads (0: libtorch's default). */
    public LibtorchGanStep(GanStepBenchmark.Start start, int threads) {
        DcganConfig config = start.config();
        arch = DcganTrainer.architecture(config);
        if (arch.conditional() || arch.stages() != 2) {
            throw new IllegalArgumentException("the libtorch step implements the unconditional two-stage DCGAN (28x28 or 32x32);"
                    + " got " + config.imageSize() + "x" + config.imageSize() + (arch.conditional() ? ", conditional" : ""));
        }
        data = start.data();
        batch = config.batchSize();
        previousThreads = torch.get_num_threads();
        if (threads > 0) {
            torch.set_num_threads(threads);
        }
        side = arch.startSize();
        gChannels = arch.generatorChannels(0);
        dChannels = arch.discriminatorChannels(1);
        int features = gChannels * side * side;
        gFc = new LinearImpl(arch.generatorInput(), features);
        gFcBn = new BatchNorm1dImpl(new BatchNormOptions(features));
        gUp = new ConvTranspose2dImpl(transposed(gChannels, arch.generatorChannels(1)));
        gUpBn = new BatchNorm2dImpl(new BatchNormOptions(arch.generatorChannels(1)));
        gOut = new ConvTranspose2dImpl(transposed(arch.generatorChannels(1), arch.channels()));
        dConv0 = new Conv2dImpl(conv(arch.channels(), arch.discriminatorChannels(0)));
        dConv1 = new Conv2dImpl(conv(arch.discriminatorChannels(0), dChannels));
        dConv1Bn = new BatchNorm2dImpl(new BatchNormOptions(dChannels));
        dFc = new LinearImpl(arch.discriminatorFeatures(), 1);

        gParams.put("fc.weight", gFc.weight());
        gParams.put("fc.bias", gFc.bias());
        gParams.put("fc_bn.weight", gFcBn.weight());
        gParams.put("fc_bn.bias", gFcBn.bias());
        gParams.put("up1.weight", gUp.weight());
        gParams.put("up1.bias", gUp.bias());
        gParams.put("up1_bn.weight", gUpBn.weight());
        gParams.put("up1_bn.bias", gUpBn.bias());
        gParams.put("out.weight", gOut.weight());
        gParams.put("out.bias", gOut.bias());
        gStats.put("fc_bn.running_mean", gFcBn.running_mean());
        gStats.put("fc_bn.running_var", gFcBn.running_var());
        gStats.put("up1_bn.running_mean", gUpBn.running_mean());
        gStats.put("up1_bn.running_var", gUpBn.running_var());
        dParams.put("conv0.weight", dConv0.weight());
        dParams.put("conv0.bias", dConv0.bias());
        dParams.put("conv1.weight", dConv1.weight());
        dParams.put("conv1.bias", dConv1.bias());
        dParams.put("conv1_bn.weight", dConv1Bn.weight());
        dParams.put("conv1_bn.bias", dConv1Bn.bias());
        dParams.put("fc.weight", dFc.weight());
        dParams.put("fc.bias", dFc.bias());
        dStats.put("conv1_bn.running_mean", dConv1Bn.running_mean());
        dStats.put("conv1_bn.running_var", dConv1Bn.running_var());

        load(arch.generatorParams(), gParams, true, start.state().get(DcganTrainer.G_PARAMS));
        load(arch.generatorStats(), gStats, true, start.state().get(DcganTrainer.G_STATS));
        load(arch.discriminatorParams(), dParams, false, start.state().get(DcganTrainer.D_PARAMS));
        load(arch.discriminatorStats(), dStats, false, start.state().get(DcganTrainer.D_STATS));

        TensorVector gParamVector = new TensorVector();
        gParams.values().forEach(gParamVector::push_back);
        dParams.values().forEach(dParamVector::push_back);
        adamG = new Adam(gParamVector, adam(config));
        adamD = new Adam(dParamVector, adam(config));
        ones = torch.ones(batch, 1);
        zeros = torch.zeros(batch, 1);
        indices = new int[batch];
        realPixels = new float[batch * config.imageFloats()];
        realLabels = new int[batch];
        z = new float[batch * config.latentDim()];
    }

    @Override
    public String backend() {
        return NAME;
    }

    @Override
    public int threads() {
        return torch.get_num_threads();
    }

    /**
     * Step {@code index}: its inputs are Atelier's step {@code index}'s. Adam counts its own
     * steps, so the steps must run in order from 0, as the benchmark runs them.
     */
    @Override
    public double[] step(long index) {
        try (PointerScope scope = new PointerScope()) {
            DcganWorker.drawInputs(data, GanStepBenchmark.Start.RUN_SEED, 0, index, indices, realPixels, realLabels, z);
            Tensor real = tensor(channelsFirstRgb(realPixels), new long[] {batch, arch.channels(), arch.imageSize(), arch.imageSize()});
            Tensor fake = generate(tensor(z, new long[] {batch, arch.latentDim()}));

            adamD.zero_grad();
            Tensor lossD = bce(discriminate(real), ones).add(bce(discriminate(fake.detach()), zeros));
            lossD.backward();
            adamD.step();

            requireGrad(dParamVector, false);
            adamG.zero_grad();
            Tensor lossG = bce(discriminate(fake), ones);
            lossG.backward();
            adamG.step();
            requireGrad(dParamVector, true);
            return new double[] {lossD.item_double(), lossG.item_double()};
        }
    }

    /** Atelier's batch (NHWC, stored channel order) as the RGB channels-first batch the libtorch modules take. */
    private float[] channelsFirstRgb(float[] stored) {
        long[] shape = {batch, arch.imageSize(), arch.imageSize(), arch.channels()};
        INDArray rgb = PixelAdapter.storedToRgb(Nd4j.create(stored, shape, 'c'), Nd4j.create(DataType.FLOAT, shape, 'c'));
        return rgb.permute(0, 3, 1, 2).dup('c').data().asFloat();
    }

    /** G's parameters in Atelier's layout ({@link DcganArchitecture#generatorParams}). */
    public float[] generatorParams() {
        return export(arch.generatorParams(), gParams, true);
    }

    /** D's parameters in Atelier's layout ({@link DcganArchitecture#discriminatorParams}). */
    public float[] discriminatorParams() {
        return export(arch.discriminatorParams(), dParams, false);
    }

    /** G's batch-norm running statistics in Atelier's layout. */
    public float[] generatorStats() {
        return export(arch.generatorStats(), gStats, true);
    }

    /** D's batch-norm running statistics in Atelier's layout. */
    public float[] discriminatorStats() {
        return export(arch.discriminatorStats(), dStats, false);
    }

    @Override
    public void close() {
        torch.set_num_threads(previousThreads);
    }

    private Tensor generate(Tensor latent) {
        Tensor h = gFcBn.forward(gFc.forward(latent)).relu().view(batch, gChannels, side, side);
        h = gUpBn.forward(gUp.forward(h)).relu();
        return gOut.forward(h).tanh();
    }

    private Tensor discriminate(Tensor x) {
        Tensor h = torch.leaky_relu(dConv0.forward(x), slope);
        h = torch.leaky_relu(dConv1Bn.forward(dConv1.forward(h)), slope);
        return dFc.forward(h.view(-1, arch.discriminatorFeatures()));
    }

    private static Tensor bce(Tensor logits, Tensor target) {
        return torch.binary_cross_entropy_with_logits(logits, target);
    }

    /**
     * The axis of a tensor that runs over the flattened first/last feature map, or -1: G's
     * Linear and BatchNorm1d outputs (axis 0 of every "fc" tensor), D's Linear input (axis 1).
     */
    private static int featureAxis(boolean generator, String name) {
        if (generator) {
            return name.startsWith("fc.") || name.startsWith("fc_bn.") ? 0 : -1;
        }
        return name.equals("fc.weight") ? 1 : -1;
    }

    private void load(ParamLayout layout, Map<String, Tensor> target, boolean generator, float[] values) {
        if (!layout.entries().stream().map(ParamLayout.Entry::name).toList().equals(target.keySet().stream().toList())) {
            throw new IllegalStateException("the libtorch step's tensors " + target.keySet() + " do not match Atelier's layout "
                    + layout.entries());
        }
        try (PointerScope scope = new PointerScope()) {
            for (ParamLayout.Entry e : layout.entries()) {
                long[] shape = e.shape();
                Tensor t = tensor(values, e.offset(), e.length(), shape);
                int axis = featureAxis(generator, e.name());
                if (axis >= 0) {
                    t = t.view(split(shape, axis, side, side, channelsAt(generator))).permute(perm(shape.length, axis, true))
                            .reshape(shape);
                }
                Tensor p = target.get(e.name());
                if (!Arrays.equals(p.sizes().vec().get(), shape)) {
                    throw new IllegalStateException(e.name() + ": libtorch holds " + Arrays.toString(p.sizes().vec().get())
                            + ", Atelier " + Arrays.toString(shape));
                }
                p.detach().copy_(t);
            }
        }
    }

    private float[] export(ParamLayout layout, Map<String, Tensor> source, boolean generator) {
        float[] out = new float[layout.size()];
        try (PointerScope scope = new PointerScope()) {
            for (ParamLayout.Entry e : layout.entries()) {
                long[] shape = e.shape();
                Tensor t = source.get(e.name()).detach();
                int axis = featureAxis(generator, e.name());
                if (axis >= 0) {
                    t = t.view(split(shape, axis, channelsAt(generator), side, side)).permute(perm(shape.length, axis, false))
                            .reshape(shape);
                }
                new FloatPointer(t.contiguous().data_ptr()).get(out, e.offset(), e.length());
            }
        }
        return out;
    }

    private int channelsAt(boolean generator) {
        return generator ? gChannels : dChannels;
    }

    /** {@code shape} with axis {@code axis} split into three. */
    private static long[] split(long[] shape, int axis, long a, long b, long c) {
        long[] s = new long[shape.length + 2];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i == axis) {
                s[j++] = a;
                s[j++] = b;
                s[j++] = c;
            } else {
                s[j++] = shape[i];
            }
        }
        return s;
    }

    /** Moves the split axis's (h, w, c) to (c, h, w) ({@code toTorch}) or back. */
    private static long[] perm(int rank, int axis, boolean toTorch) {
        long[] p = new long[rank + 2];
        for (int i = 0, j = 0; i < rank; i++) {
            if (i == axis) {
                long[] order = toTorch ? new long[] {2, 0, 1} : new long[] {1, 2, 0};
                for (long o : order) {
                    p[j++] = axis + o;
                }
            } else {
                p[j++] = i < axis ? i : i + 2;
            }
        }
        return p;
    }

    private static Tensor tensor(float[] values, long[] shape) {
        return tensor(values, 0, values.length, shape);
    }

    /** A tensor owning a copy of {@code values[offset, offset + length)}. */
    private static Tensor tensor(float[] values, int offset, int length, long[] shape) {
        FloatPointer p = new FloatPointer(length);
        p.put(values, offset, length);
        return torch.from_blob(p, shape).clone();
    }

    private static AdamOptions adam(DcganConfig config) {
        AdamOptions o = new AdamOptions(config.learningRate());
        // betas is a std::tuple<double, double>, which libstdc++ lays out last element first.
        o.betas().put(0, config.beta2()).put(1, config.beta1());
        o.eps().put(ADAM_EPS);
        return o;
    }

    private static ConvTranspose2dOptions transposed(int in, int out) {
        ConvTranspose2dOptions o = new ConvTranspose2dOptions(in, out, square(DcganArchitecture.KERNEL));
        o.stride().put(pair(DcganArchitecture.STRIDE));
        o.padding().put(pair(DcganArchitecture.PAD));
        return o;
    }

    private static Conv2dOptions conv(int in, int out) {
        Conv2dOptions o = new Conv2dOptions(in, out, square(DcganArchitecture.KERNEL));
        o.stride().put(pair(DcganArchitecture.STRIDE));
        o.padding().put(square(DcganArchitecture.PAD));
        return o;
    }

    private static LongPointer square(long v) {
        return new LongPointer(pair(v));
    }

    private static long[] pair(long v) {
        return new long[] {v, v};
    }

    private static void requireGrad(TensorVector params, boolean on) {
        for (long i = 0; i < params.size(); i++) {
            params.get(i).set_requires_grad(on);
        }
    }

    /** Registered in META-INF/services; found by {@link GanStep#provider(String)}. */
    public static final class Provider implements GanStep.Provider {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public GanStep open(int batch, int threads) {
            return new LibtorchGanStep(GanStepBenchmark.Start.reference(batch), threads);
        }
    }
}
