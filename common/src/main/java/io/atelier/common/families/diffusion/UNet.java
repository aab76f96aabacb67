package io.atelier.common.families.diffusion;

import io.atelier.common.nn.ChannelConcat;
import io.atelier.common.nn.Conv2d;
import io.atelier.common.nn.Dense;
import io.atelier.common.nn.GroupNormAct;
import io.atelier.common.nn.Layer;
import io.atelier.common.nn.ParamLayout;
import io.atelier.common.nn.Params;
import io.atelier.common.nn.Pointwise;
import io.atelier.common.nn.ResBlock;
import io.atelier.common.nn.SelfAttention;
import io.atelier.common.nn.Silu;
import io.atelier.common.nn.Tensor;
import io.atelier.common.nn.Upsample2x;

import java.nio.FloatBuffer;

/**
 * A noise-prediction U-Net over NHWC images with every buffer allocated once: sinusoidal time
 * features -> MLP (plus the condition: the mean of the prompt's word vectors) -> one embedding
 * every residual block adds per channel; down path (residual block, stride-2 3x3 convolution),
 * middle (block, optional self-attention, block), up path (skip concatenation, block, nearest
 * 2x upsampling and 3x3 convolution), GroupNorm-SiLU and a 3x3 convolution to the image's
 * channels. Forward and backward by hand, parameters in one flat {@link Params}. Not thread-safe.
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
    private final ResBlock mid2;
    private final ChannelConcat[] cat;
    private final ResBlock[] up;
    private final Upsample2x[] upsample;
    private final Conv2d[] upConv;
    private final GroupNormAct outNorm;
    private final Conv2d out;
    private final Tensor[] skips;
    private final Tensor[] skipGrads;
    private final int[][] words;
    private final long macs;
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
        if (attn != null) {
            long tokens = (long) lowSide * lowSide;
            m += 4 * conv(lowSide, low, low, 1) + 2 * tokens * tokens * low;
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
        this.words = new int[maxRows][];
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
        FloatBuffer f = timeFeatures.floats();
        int dim = arch.base();
        for (int r = 0; r < n; r++) {
            timeEmbedding(times[r], f, r * dim, dim);
            int[] w = wordIds == null ? null : wordIds[r];
            if (w != null && !arch.conditional()) {
                throw new IllegalArgumentException("this U-Net is unconditional; row " + r + " has a condition");
            }
            if (w != null) {
                for (int id : w) {
                    if (id < 0 || id >= arch.vocabulary()) {
                        throw new IllegalArgumentException("word id " + id + " outside the vocabulary of " + arch.vocabulary());
                    }
                }
            }
            words[r] = w == null || w.length == 0 ? null : w;
        }
    }

    /** Transformer-style sinusoidal features of a (possibly fractional) time step. */
    public static void timeEmbedding(double t, FloatBuffer out, int offset, int dim) {
        int half = dim / 2;
        for (int i = 0; i < half; i++) {
            double freq = Math.exp(-Math.log(10000.0) * i / half);
            out.put(offset + i, (float) Math.sin(t * freq));
            out.put(offset + half + i, (float) Math.cos(t * freq));
        }
    }

    /** The predicted noise (or v) for rows [0, n), NHWC. */
    public Tensor forward(int n) {
        Layer.Pass pass = Layer.Pass.TRAIN;
        Tensor pre = fc1.forward(timeFeatures, n, pass);
        if (arch.conditional()) {
            addConditions(pre.floats(), n);
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
        h = mid2.forward(h, emb, n);
        for (int i = arch.levels() - 1; i >= 0; i--) {
            h = up[i].forward(cat[i].forward(h, skips[i], n), emb, n);
            if (i > 0) {
                h = upConv[i].forward(upsample[i].forward(h, n, pass), n, pass);
            }
        }
        return out.forward(outNorm.forward(h, n, pass), n, pass);
    }

    /** Parameter gradients (overwritten) of sum(output * gradOut) for the last forward pass. */
    public void backward(Tensor gradOut, int n) {
        FloatBuffer ge = gradEmb.floats();
        for (int i = 0, end = n * gradEmb.rowSize(); i < end; i++) {
            ge.put(i, 0f);
        }
        Tensor g = outNorm.backward(out.backward(gradOut, n, Layer.Grads.ALL), n, Layer.Grads.ALL);
        for (int i = 0; i < arch.levels(); i++) {
            if (i > 0) {
                g = upsample[i].backward(upConv[i].backward(g, n, Layer.Grads.ALL), n, Layer.Grads.ALL);
            }
            cat[i].backward(up[i].backward(g, n, gradEmb), n);
            g = cat[i].gradA();
        }
        g = mid2.backward(g, n, gradEmb);
        if (attn != null) {
            g = attn.backward(g, n, Layer.Grads.ALL);
        }
        g = mid1.backward(g, n, gradEmb);
        for (int i = arch.levels() - 1; i >= 0; i--) {
            if (pool[i] != null) {
                g = pool[i].backward(g, n, Layer.Grads.ALL);
            }
            g = down[i].backward(Pointwise.add(g, cat[i].gradB(), skipGrads[i], n), n, gradEmb);
        }
        in.backward(g, n, Layer.Grads.PARAMS);
        Tensor gPre = act1.backward(fc2.backward(act2.backward(gradEmb, n, Layer.Grads.ALL), n, Layer.Grads.ALL),
                n, Layer.Grads.ALL);
        fc1.backward(gPre, n, Layer.Grads.PARAMS);
        if (arch.conditional()) {
            wordGradients(gPre.floats(), n);
        }
    }

    private void addConditions(FloatBuffer pre, int n) {
        int e = arch.embDim();
        FloatBuffer p = params.hostValues();
        int w0 = params.offset("cond.words");
        for (int r = 0; r < n; r++) {
            int[] w = words[r];
            if (w == null) {
                continue;
            }
            float inv = 1f / w.length;
            for (int id : w) {
                int src = w0 + id * e;
                for (int j = 0; j < e; j++) {
                    pre.put(r * e + j, pre.get(r * e + j) + inv * p.get(src + j));
                }
            }
        }
    }

    private void wordGradients(FloatBuffer gPre, int n) {
        int e = arch.embDim();
        FloatBuffer pg = params.hostGrads();
        ParamLayout.Entry entry = params.layout().get("cond.words");
        int w0 = entry.offset();
        for (int i = 0; i < entry.length(); i++) {
            pg.put(w0 + i, 0f);
        }
        for (int r = 0; r < n; r++) {
            int[] w = words[r];
            if (w == null) {
                continue;
            }
            float inv = 1f / w.length;
            for (int id : w) {
                int dst = w0 + id * e;
                for (int j = 0; j < e; j++) {
                    pg.put(dst + j, pg.get(dst + j) + inv * gPre.get(r * e + j));
                }
            }
        }
    }
}
