package io.atelier.common.families.diffusion;

import io.atelier.common.nn.ChannelConcat;
import io.atelier.common.nn.Conv2d;
import io.atelier.common.nn.CrossAttention;
import io.atelier.common.nn.Dense;
import io.atelier.common.nn.GroupNormAct;
import io.atelier.common.nn.HostArrays;
import io.atelier.common.nn.Layer;
import io.atelier.common.nn.Params;
import io.atelier.common.nn.Pointwise;
import io.atelier.common.nn.ResBlock;
import io.atelier.common.nn.SelfAttention;
import io.atelier.common.nn.Silu;
import io.atelier.common.nn.Tensor;
import io.atelier.common.nn.Upsample2x;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Cos;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sin;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A noise-prediction U-Net over NHWC images with every buffer allocated once: sinusoidal time
 * features -> MLP (plus the condition: the mean of the prompt's word vectors, or the pooled
 * vector of its {@link TextEncoder} tokens) -> one embedding every residual block adds per
 * channel; down path (residual block, stride-2 3x3 convolution), middle (block, optional
 * self-attention, cross-attention to the tokens with the transformer encoder, block), up path
 * (skip concatenation, block, cross-attention below full resolution with the transformer
 * encoder, nearest 2x upsampling and 3x3 convolution), GroupNorm-SiLU and a 3x3 convolution to
 * the image's channels. Forward and backward by hand as ND4J ops, parameters in one flat {@link Params}.
 * Per step only the time steps and the condition's word weights (or token ids, padding mask and
 * pooling weights) come in from the heap (through {@link HostArrays}); the time features and the
 * condition vectors are computed as ops.
 * Not thread-safe.
 */
public final class UNet {
    private final UNetArchitecture arch;
    private final Params params;
    private final int maxRows;
    private final Tensor input;
    private final Tensor timeFeatures;
    private final Dense fc1;
    private final Silu act1;
    private final Dense fc2;
    private final Silu act2;
    private final Tensor gradEmb;
    private final Conv2d in;
    private final ResBlock[] down;
    private final Conv2d[] pool;
    private final ResBlock mid1;
    private final SelfAttention attn;
    /** With the transformer encoder: cross-attention after the middle's attention and after up blocks below full resolution. */
    private final CrossAttention midCross;
    private final CrossAttention[] upCross;
    private final TextEncoder text;
    /** The sum of the cross-attentions' token gradients. */
    private final Tensor gradTokens;
    private final ResBlock mid2;
    private final ChannelConcat[] cat;
    private final ResBlock[] up;
    private final Upsample2x[] upsample;
    private final Conv2d[] upConv;
    private final GroupNormAct outNorm;
    private final Conv2d out;
    private final Tensor[] skips;
    private final Tensor[] skipGrads;
    private final long macs;
    /** Time steps of rows [0, n), as floats (exact for whole steps below 2^24). */
    private final float[] timeHost;
    private final Tensor timeIn;
    /** The sinusoids' frequencies exp(-ln(10000) i / half), [1, half], in double. */
    private final INDArray frequencies;
    private final INDArray timeArgs;
    private final INDArray trig;
    /** Row r's weight 1 / |words| for each of its words (the condition is their mean vector). */
    private final float[] bagHost;
    private final Tensor bag;
    private final INDArray words;
    private final INDArray wordGrads;
    private Tensor emb;

    public UNet(UNetArchitecture arch, int maxRows) {
        this.arch = arch;
        this.maxRows = maxRows;
        this.params = new Params(arch.params());
        int s = arch.imageSize();
        int e = arch.embDim();
        int g = arch.groups();
        int levels = arch.levels();
        long m = 0;
        this.input = new Tensor(maxRows, s, s, arch.channels());
        this.timeFeatures = new Tensor(maxRows, arch.base());
        this.fc1 = new Dense(params, "time.fc1", arch.base(), e, maxRows);
        this.act1 = new Silu(maxRows, e);
        this.fc2 = new Dense(params, "time.fc2", e, e, maxRows);
        this.act2 = new Silu(maxRows, e);
        this.gradEmb = new Tensor(maxRows, e);
        m += (long) arch.base() * e + (long) e * e;
        this.in = new Conv2d(params, "in", false, arch.channels(), arch.width(0), 3, 1, 1, s, s, maxRows);
        m += conv(s, arch.channels(), arch.width(0), 3);
        this.down = new ResBlock[levels];
        this.pool = new Conv2d[levels];
        this.skips = new Tensor[levels];
        this.skipGrads = new Tensor[levels];
        for (int i = 0; i < levels; i++) {
            int side = arch.side(i);
            int from = i == 0 ? arch.width(0) : arch.width(i - 1);
            down[i] = new ResBlock(params, "down" + i, from, arch.width(i), side, side, e, g, maxRows);
            m += block(side, from, arch.width(i), e);
            skipGrads[i] = new Tensor(maxRows, side, side, arch.width(i));
            if (i < levels - 1) {
                pool[i] = new Conv2d(params, "down" + i + ".pool", false, arch.width(i), arch.width(i), 3, 2, 1, side, side, maxRows);
                m += conv(side / 2, arch.width(i), arch.width(i), 3);
            }
        }
        int low = arch.width(levels - 1);
        int lowSide = arch.side(levels - 1);
        this.mid1 = new ResBlock(params, "mid1", low, low, lowSide, lowSide, e, g, maxRows);
        this.attn = arch.attention() ? new SelfAttention(params, "mid.attn", lowSide, lowSide, low, g, maxRows) : null;
        this.mid2 = new ResBlock(params, "mid2", low, low, lowSide, lowSide, e, g, maxRows);
        m += 2 * block(lowSide, low, low, e);
        int tokens = arch.maxTokens();
        this.text = arch.transformer()
                ? new TextEncoder(params, "text", arch.vocabulary(), tokens, e, arch.textLayers(), maxRows) : null;
        this.gradTokens = arch.transformer() ? new Tensor(maxRows, tokens, e) : null;
        this.midCross = arch.transformer() ? new CrossAttention(params, "mid.xattn", lowSide, lowSide, low, g, tokens, e,
                UNetArchitecture.heads(low), maxRows) : null;
        this.upCross = new CrossAttention[levels];
        if (arch.transformer()) {
            // Per caption: each block's projections, MLP and attention products; per cross-attention, its own.
            m += (long) arch.textLayers() * (12L * tokens * e * e + 2L * tokens * tokens * e);
            m += crossMacs(lowSide, low, tokens, e);
        }
        if (attn != null) {
            long pixels = (long) lowSide * lowSide;
            m += 4 * conv(lowSide, low, low, 1) + 2 * pixels * pixels * low;
        }
        this.cat = new ChannelConcat[levels];
        this.up = new ResBlock[levels];
        this.upsample = new Upsample2x[levels];
        this.upConv = new Conv2d[levels];
        for (int i = levels - 1; i >= 0; i--) {
            int side = arch.side(i);
            int from = i == levels - 1 ? low : arch.width(i + 1);
            cat[i] = new ChannelConcat(side, side, from, arch.width(i), maxRows);
            up[i] = new ResBlock(params, "up" + i, from + arch.width(i), arch.width(i), side, side, e, g, maxRows);
            m += block(side, from + arch.width(i), arch.width(i), e);
            if (arch.crossAttends(i)) {
                upCross[i] = new CrossAttention(params, "up" + i + ".xattn", side, side, arch.width(i), g, arch.maxTokens(), e,
                        UNetArchitecture.heads(arch.width(i)), maxRows);
                m += crossMacs(side, arch.width(i), arch.maxTokens(), e);
            }
            if (i > 0) {
                upsample[i] = new Upsample2x(side, side, arch.width(i), maxRows);
                upConv[i] = new Conv2d(params, "up" + i + ".conv", false, arch.width(i), arch.width(i), 3, 1, 1,
                        2 * side, 2 * side, maxRows);
                m += conv(2 * side, arch.width(i), arch.width(i), 3);
            }
        }
        this.outNorm = new GroupNormAct(params, "out.norm", Math.min(g, arch.width(0)), true, maxRows, s, s, arch.width(0));
        this.out = new Conv2d(params, "out", false, arch.width(0), arch.channels(), 3, 1, 1, s, s, maxRows);
        m += conv(s, arch.width(0), arch.channels(), 3);
        this.macs = m;
        int half = arch.base() / 2;
        this.timeHost = new float[maxRows];
        this.timeIn = new Tensor(maxRows, 1);
        this.frequencies = Transforms.exp(Nd4j.arange(0, half).castTo(DataType.DOUBLE).muli(-Math.log(10000.0) / half), false)
                .reshape(1, half);
        this.timeArgs = Nd4j.create(DataType.DOUBLE, maxRows, half);
        this.trig = Nd4j.create(DataType.DOUBLE, maxRows, half);
        boolean mean = arch.conditional() && !arch.transformer();
        this.bagHost = mean ? new float[maxRows * arch.vocabulary()] : null;
        this.bag = mean ? new Tensor(maxRows, arch.vocabulary()) : null;
        this.words = mean ? params.value("cond.words") : null;
        this.wordGrads = mean ? params.grad("cond.words") : null;
    }

    private static long crossMacs(int side, int c, int tokens, int d) {
        long pixels = (long) side * side;
        return 2 * pixels * c * c + 2L * tokens * d * c + 2 * pixels * tokens * c;
    }

    private static long conv(int side, int inC, int outC, int k) {
        return (long) side * side * inC * outC * k * k;
    }

    private static long block(int side, int in, int out, int e) {
        return conv(side, in, out, 3) + conv(side, out, out, 3) + (long) e * out + (in != out ? conv(side, in, out, 1) : 0);
    }

    public UNetArchitecture architecture() {
        return arch;
    }

    public Params params() {
        return params;
    }

    public int maxRows() {
        return maxRows;
    }

    /** Multiply-adds of one image's forward pass (convolutions, dense layers, attention products). */
    public long macsPerImage() {
        return macs;
    }

    /** The NHWC image batch the next forward pass reads; fill rows [0, n). */
    public Tensor input() {
        return input;
    }

    /**
     * Sets row r's time step and condition: {@code wordIds[r]} are the condition's word ids
     * (their mean vector is the condition), or null for none (the unconditional prediction).
     */
    public void setTimesAndConditions(double[] times, int[][] wordIds, int n) {
        int v = arch.vocabulary();
        if (bagHost != null) {
            java.util.Arrays.fill(bagHost, 0, n * v, 0f);
        }
        for (int r = 0; r < n; r++) {
            timeHost[r] = (float) times[r];
            int[] w = wordIds == null ? null : wordIds[r];
            if (w != null && !arch.conditional()) {
                throw new IllegalArgumentException("this U-Net is unconditional; row " + r + " has a condition");
            }
            if (w == null || w.length == 0 || bagHost == null) {
                continue;
            }
            for (int id : w) {
                if (id < 0 || id >= v) {
                    throw new IllegalArgumentException("word id " + id + " outside the vocabulary of " + v);
                }
            }
            float inv = 1f / w.length;
            for (int id : w) {
                bagHost[r * v + id] += inv;
            }
        }
        HostArrays.load(timeIn.matrix(n), timeHost);
        if (bag != null) {
            HostArrays.load(bag.matrix(n), bagHost);
        }
        if (text != null) {
            text.setTokens(wordIds, n);
        }
        timeFeatures(n);
    }

    /** Transformer-style sinusoidal features of the time steps: [sin(t f_i)..., cos(t f_i)...], computed in double. */
    private void timeFeatures(int n) {
        int half = arch.base() / 2;
        INDArray args = timeArgs.get(NDArrayIndex.interval(0, n), NDArrayIndex.all());
        INDArray out = trig.get(NDArrayIndex.interval(0, n), NDArrayIndex.all());
        Nd4j.exec(new MulOp(timeIn.matrix(n).castTo(DataType.DOUBLE), frequencies, args));
        INDArray features = timeFeatures.matrix(n);
        Nd4j.exec(new Sin(args, out));
        features.get(NDArrayIndex.all(), NDArrayIndex.interval(0, half)).assign(out);
        Nd4j.exec(new Cos(args, out));
        features.get(NDArrayIndex.all(), NDArrayIndex.interval(half, 2 * half)).assign(out);
    }

    /** The predicted noise (or v) for rows [0, n), NHWC. */
    public Tensor forward(int n) {
        Layer.Pass pass = Layer.Pass.TRAIN;
        Tensor pre = fc1.forward(timeFeatures, n, pass);
        if (text != null) {
            text.forward(n);
            Pointwise.add(pre, text.pooled(), pre, n);
            midCross.setContext(text.tokens(), text.mask());
            for (CrossAttention x : upCross) {
                if (x != null) {
                    x.setContext(text.tokens(), text.mask());
                }
            }
        } else if (arch.conditional()) {
            // pre += bag words: each row's mean word vector.
            Nd4j.gemm(bag.matrix(n), words, pre.matrix(n), false, false, 1.0, 1.0);
        }
        emb = act2.forward(fc2.forward(act1.forward(pre, n, pass), n, pass), n, pass);
        Tensor h = in.forward(input, n, pass);
        for (int i = 0; i < arch.levels(); i++) {
            h = down[i].forward(h, emb, n);
            skips[i] = h;
            if (pool[i] != null) {
                h = pool[i].forward(h, n, pass);
            }
        }
        h = mid1.forward(h, emb, n);
        if (attn != null) {
            h = attn.forward(h, n, pass);
        }
        if (midCross != null) {
            h = midCross.forward(h, n, pass);
        }
        h = mid2.forward(h, emb, n);
        for (int i = arch.levels() - 1; i >= 0; i--) {
            h = up[i].forward(cat[i].forward(h, skips[i], n), emb, n);
            if (upCross[i] != null) {
                h = upCross[i].forward(h, n, pass);
            }
            if (i > 0) {
                h = upConv[i].forward(upsample[i].forward(h, n, pass), n, pass);
            }
        }
        return out.forward(outNorm.forward(h, n, pass), n, pass);
    }

    /** Parameter gradients (overwritten) of sum(output * gradOut) for the last forward pass. */
    public void backward(Tensor gradOut, int n) {
        gradEmb.matrix(n).assign(0);
        if (gradTokens != null) {
            gradTokens.matrix(n).assign(0);
        }
        Tensor g = outNorm.backward(out.backward(gradOut, n, Layer.Grads.ALL), n, Layer.Grads.ALL);
        for (int i = 0; i < arch.levels(); i++) {
            if (i > 0) {
                g = upsample[i].backward(upConv[i].backward(g, n, Layer.Grads.ALL), n, Layer.Grads.ALL);
            }
            if (upCross[i] != null) {
                g = crossBackward(upCross[i], g, n);
            }
            cat[i].backward(up[i].backward(g, n, gradEmb), n);
            g = cat[i].gradA();
        }
        g = mid2.backward(g, n, gradEmb);
        if (midCross != null) {
            g = crossBackward(midCross, g, n);
        }
        if (attn != null) {
            g = attn.backward(g, n, Layer.Grads.ALL);
        }
        g = mid1.backward(g, n, gradEmb);
        for (int i = arch.levels() - 1; i >= 0; i--) {
            if (pool[i] != null) {
                g = pool[i].backward(g, n, Layer.Grads.ALL);
            }
            Nd4j.exec(new AddOp(g.matrix(n), cat[i].gradB().matrix(n), skipGrads[i].matrix(n)));
            g = down[i].backward(skipGrads[i], n, gradEmb);
        }
        in.backward(g, n, Layer.Grads.PARAMS);
        Tensor gPre = act1.backward(fc2.backward(act2.backward(gradEmb, n, Layer.Grads.ALL), n, Layer.Grads.ALL),
                n, Layer.Grads.ALL);
        fc1.backward(gPre, n, Layer.Grads.PARAMS);
        if (text != null) {
            text.backward(gradTokens, gPre, n);
        } else if (arch.conditional()) {
            // The words' gradient: bag^T gPre, overwritten.
            Nd4j.gemm(bag.matrix(n), gPre.matrix(n), wordGrads, true, false, 1.0, 0.0);
        }
    }

    /** A cross-attention's input gradient; its tokens' gradient joins the others'. */
    private Tensor crossBackward(CrossAttention x, Tensor g, int n) {
        Tensor gx = x.backward(g, n, Layer.Grads.ALL);
        Pointwise.add(gradTokens, x.gradContext(), gradTokens, n);
        return gx;
    }
}
