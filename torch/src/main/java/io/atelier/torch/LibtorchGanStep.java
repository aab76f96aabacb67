package io.atelier.torch;

import io.atelier.common.bench.GanStep;
import io.atelier.common.families.dcgan.DcganConfig;
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
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.LeakyReLUImpl;
import org.bytedeco.pytorch.LeakyReLUOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.util.List;

/**
 * The reference DCGAN step written as a PyTorch user would, every op a libtorch kernel (its
 * convolutions, BLAS, batch norm, autograd and Adam) through the bytedeco presets:
 * G: z100 -> Linear 6272 + BN + ReLU -> 128x7x7 -> ConvT(128->64, k4 s2 p1) + BN + ReLU ->
 * ConvT(64->1, k4 s2 p1) + tanh; D: Conv(1->64, k4 s2 p1) + LeakyReLU 0.2 -> Conv(64->128, k4
 * s2 p1) + BN + LeakyReLU 0.2 -> Linear 6272->1; BCE with logits, Adam 2e-4 (0.5, 0.999), fp32.
 * A step: G forward once on fresh z; D update on a real batch and the detached fake batch; G
 * update through the updated D with the non-saturating loss. D's weights need no gradient in
 * the G update, so they are switched off for it, as Atelier's own step skips them too. Weights
 * start from N(0, 0.02) as in the DCGAN paper; images are uniform in [-1, 1].
 */
public final class LibtorchGanStep implements GanStep {
    static final String NAME = "libtorch";
    private static final int LATENT = 100;
    private static final int POOL = 256;

    private final int batch;
    private final int previousThreads;
    private final LinearImpl gFc = new LinearImpl(LATENT, 128 * 7 * 7);
    private final BatchNorm1dImpl gBn0 = new BatchNorm1dImpl(new BatchNormOptions(128 * 7 * 7));
    private final ConvTranspose2dImpl gUp = new ConvTranspose2dImpl(transposed(128, 64, false));
    private final BatchNorm2dImpl gBn1 = new BatchNorm2dImpl(new BatchNormOptions(64));
    private final ConvTranspose2dImpl gOut = new ConvTranspose2dImpl(transposed(64, 1, true));
    private final Conv2dImpl dConv0 = new Conv2dImpl(conv(1, 64, true));
    private final Conv2dImpl dConv1 = new Conv2dImpl(conv(64, 128, false));
    private final BatchNorm2dImpl dBn1 = new BatchNorm2dImpl(new BatchNormOptions(128));
    private final LinearImpl dFc = new LinearImpl(128 * 7 * 7, 1);
    private final LeakyReLUImpl leaky;
    private final TensorVector dParams;
    private final Adam adamG;
    private final Adam adamD;
    private final Tensor pool;
    private final Tensor ones;
    private final Tensor zeros;
    private final TensorOptions indexType = new TensorOptions(torch.ScalarType.Long);

    private LibtorchGanStep(int batch, int threads) {
        this.batch = batch;
        previousThreads = torch.get_num_threads();
        if (threads > 0) {
            torch.set_num_threads(threads);
        }
        torch.manual_seed(7);
        LeakyReLUOptions slope = new LeakyReLUOptions();
        slope.negative_slope().put(0.2);
        leaky = new LeakyReLUImpl(slope);
        for (Module m : List.<Module>of(gFc, gUp, gOut, dConv0, dConv1, dFc)) {
            for (Tensor p : m.asModule().parameters().get()) {
                p.detach().normal_(0, 0.02, new GeneratorOptional());
            }
        }
        TensorVector gParams = concat(gFc, gBn0, gUp, gBn1, gOut);
        dParams = concat(dConv0, dConv1, dBn1, dFc);
        DcganConfig ref = DcganConfig.reference();
        adamG = new Adam(gParams, adam(ref));
        adamD = new Adam(dParams, adam(ref));
        pool = torch.rand(POOL, 1, 28, 28).mul(new org.bytedeco.pytorch.Scalar(2.0)).sub(new org.bytedeco.pytorch.Scalar(1.0));
        ones = torch.ones(batch, 1);
        zeros = torch.zeros(batch, 1);
    }

    @Override
    public String backend() {
        return NAME;
    }

    @Override
    public int threads() {
        return torch.get_num_threads();
    }

    @Override
    public double[] step(long index) {
        try (PointerScope scope = new PointerScope()) {
            Tensor fake = generate(torch.randn(batch, LATENT));
            Tensor real = pool.index_select(0, torch.randint(POOL, new long[] {batch}, indexType));

            adamD.zero_grad();
            Tensor lossD = torch.binary_cross_entropy_with_logits(discriminate(real), ones)
                    .add(torch.binary_cross_entropy_with_logits(discriminate(fake.detach()), zeros));
            lossD.backward();
            adamD.step();

            requireGrad(dParams, false);
            adamG.zero_grad();
            Tensor lossG = torch.binary_cross_entropy_with_logits(discriminate(fake), ones);
            lossG.backward();
            adamG.step();
            requireGrad(dParams, true);
            return new double[] {lossD.item_double(), lossG.item_double()};
        }
    }

    @Override
    public void close() {
        torch.set_num_threads(previousThreads);
    }

    private Tensor generate(Tensor z) {
        Tensor h = gBn0.forward(gFc.forward(z)).relu().view(batch, 128, 7, 7);
        h = gBn1.forward(gUp.forward(h)).relu();
        return torch.tanh(gOut.forward(h));
    }

    private Tensor discriminate(Tensor x) {
        Tensor h = leaky.forward(dConv0.forward(x));
        h = leaky.forward(dBn1.forward(dConv1.forward(h)));
        return dFc.forward(h.view(-1, 128 * 7 * 7));
    }

    private static AdamOptions adam(DcganConfig ref) {
        AdamOptions o = new AdamOptions(ref.learningRate());
        // betas is a std::tuple<double, double>, which libstdc++ lays out last element first.
        o.betas().put(0, ref.beta2()).put(1, ref.beta1());
        o.eps().put(1e-8);
        return o;
    }

    private static ConvTranspose2dOptions transposed(int in, int out, boolean bias) {
        ConvTranspose2dOptions o = new ConvTranspose2dOptions(in, out, new LongPointer(4L, 4L));
        o.stride().put(new long[] {2, 2});
        o.padding().put(new long[] {1, 1});
        o.bias().put(bias);
        return o;
    }

    private static Conv2dOptions conv(int in, int out, boolean bias) {
        Conv2dOptions o = new Conv2dOptions(in, out, new LongPointer(4L, 4L));
        o.stride().put(new long[] {2, 2});
        o.padding().put(new LongPointer(1L, 1L));
        o.bias().put(bias);
        return o;
    }

    private static TensorVector concat(Module... modules) {
        TensorVector all = new TensorVector();
        for (Module m : modules) {
            for (Tensor p : m.asModule().parameters().get()) {
                all.push_back(p);
            }
        }
        return all;
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
            return new LibtorchGanStep(batch, threads);
        }
    }
}
