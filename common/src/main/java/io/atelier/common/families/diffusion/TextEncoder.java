package io.atelier.common.families.diffusion;

import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.nn.HostArrays;
import io.atelier.common.nn.LayerNorm;
import io.atelier.common.nn.Layer;
import io.atelier.common.nn.ParamLayout;
import io.atelier.common.nn.Params;
import io.atelier.common.nn.Pointwise;
import io.atelier.common.nn.Tensor;
import io.atelier.common.nn.TokenEmbedding;
import io.atelier.common.nn.TransformerBlock;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Locale;

/**
 * The transformer text encoder of a captioned U-Net: a caption's word ids become tokens (after
 * two reserved ids: padding, and the learned null token that stands for "no condition"), a
 * token plus learned position embedding, {@code layers} pre-norm {@link TransformerBlock}s with
 * padding masked, and a final LayerNorm, giving one vector per token; the pooled vector is the
 * mean of the non-padding token vectors. Every caption is padded to the model's fixed number of
 * tokens. The unconditional input (a dropped condition, an unguided row) is the one-token
 * sequence of the null token, so a row always has a real key to attend to. Parameters live in
 * the U-Net's {@link Params}, trained with it.
 */
public final class TextEncoder {
    /** Which condition encoder a conditional U-Net has. */
    public enum Kind {
        /** The mean of learned per-word vectors, added to the time embedding (word order is lost). */
        MEAN,
        /** This transformer: tokens for cross-attention, their pooled vector added to the time embedding. */
        TRANSFORMER;

        public static Kind parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException("{textEncoder} " + s + ": use transformer or mean");
            }
        }
    }

    static final int PAD = 0;
    static final int NULL = 1;
    /** Word id w is token w + FIRST_WORD. */
    static final int FIRST_WORD = 2;
    /** Attention heads of the encoder's blocks. */
    static final int HEADS = 4;

    private final int tokens;
    private final int vocabulary;
    private final TokenEmbedding embedding;
    private final TransformerBlock[] blocks;
    private final LayerNorm norm;
    private final float[] idsHost;
    private final float[] maskHost;
    private final float[] poolHost;
    private final Tensor ids;
    private final Tensor mask;
    /** Row r's weights over its tokens: 1 / (non-padding tokens) each, 0 for padding, [1, T]. */
    private final Tensor poolWeights;
    private final Tensor pooled;
    private final Tensor gradTokens;
    private final DynamicCustomOp[] poolOps;
    private final DynamicCustomOp[] unpoolOps;
    private Tensor out;

    static void register(ParamLayout.Builder layout, String name, int vocabulary, int tokens, int d, int layers) {
        TokenEmbedding.register(layout, name + ".embed", vocabulary + FIRST_WORD, tokens, d, 1.0);
        for (int i = 0; i < layers; i++) {
            TransformerBlock.register(layout, name + ".block" + i, d);
        }
        LayerNorm.register(layout, name + ".norm", d);
    }

    TextEncoder(Params params, String name, int vocabulary, int tokens, int d, int layers, int maxRows) {
        this.tokens = tokens;
        this.vocabulary = vocabulary;
        this.embedding = new TokenEmbedding(params, name + ".embed", vocabulary + FIRST_WORD, tokens, d, maxRows);
        this.blocks = new TransformerBlock[layers];
        this.mask = new Tensor(maxRows, tokens);
        for (int i = 0; i < layers; i++) {
            blocks[i] = new TransformerBlock(params, name + ".block" + i, tokens, d, HEADS, maxRows);
            blocks[i].setMask(mask);
        }
        this.norm = new LayerNorm(params, name + ".norm", maxRows, tokens, d);
        this.idsHost = new float[maxRows * tokens];
        this.maskHost = new float[maxRows * tokens];
        this.poolHost = new float[maxRows * tokens];
        this.ids = new Tensor(maxRows, tokens);
        this.poolWeights = new Tensor(maxRows, 1, tokens);
        this.pooled = new Tensor(maxRows, d);
        this.gradTokens = new Tensor(maxRows, tokens, d);
        this.poolOps = new DynamicCustomOp[maxRows + 1];
        this.unpoolOps = new DynamicCustomOp[maxRows + 1];
    }

    public int maxTokens() {
        return tokens;
    }

    /** The additive key mask (0 for a token, a large negative value for padding), [T] per row. */
    public Tensor mask() {
        return mask;
    }

    /** The token vectors [T, D] of the last forward pass. */
    public Tensor tokens() {
        return out;
    }

    /** The pooled vectors [D] of the last forward pass. */
    public Tensor pooled() {
        return pooled;
    }

    /** Row r's words (null or empty: the null token, i.e. no condition). */
    void setTokens(int[][] wordIds, int n) {
        Arrays.fill(idsHost, 0, n * tokens, PAD);
        Arrays.fill(maskHost, 0, n * tokens, TransformerBlock.MASKED);
        Arrays.fill(poolHost, 0, n * tokens, 0f);
        for (int r = 0; r < n; r++) {
            int[] w = wordIds == null ? null : wordIds[r];
            int count = w == null || w.length == 0 ? 1 : w.length;
            if (count > tokens) {
                throw new IllegalArgumentException("a caption of " + count + " words is longer than the text encoder's "
                        + tokens + " tokens");
            }
            for (int t = 0; t < count; t++) {
                int id;
                if (w == null || w.length == 0) {
                    id = NULL;
                } else if (w[t] < 0 || w[t] >= vocabulary) {
                    throw new IllegalArgumentException("word id " + w[t] + " outside the vocabulary of " + vocabulary);
                } else {
                    id = w[t] + FIRST_WORD;
                }
                idsHost[r * tokens + t] = id;
                maskHost[r * tokens + t] = 0f;
                poolHost[r * tokens + t] = 1f / count;
            }
        }
        HostArrays.load(ids.matrix(n), idsHost);
        HostArrays.load(mask.matrix(n), maskHost);
        HostArrays.load(poolWeights.matrix(n), poolHost);
    }

    /** Token vectors and pooled vectors of rows [0, n) for the tokens last set. */
    void forward(int n) {
        Tensor h = embedding.forward(ids, n, Layer.Pass.TRAIN);
        for (TransformerBlock b : blocks) {
            h = b.forward(h, n, Layer.Pass.TRAIN);
        }
        out = norm.forward(h, n, Layer.Pass.TRAIN);
        DynamicCustomOp pool = poolOps[n];
        if (pool == null) {
            // [n, 1, T] x [n, T, D] -> [n, 1, D]: each row's mean over its real tokens.
            pool = matmul(poolWeights.rows(n), out.rows(n), pooled.rows(n, 1, pooled.rowSize()), false);
            poolOps[n] = pool;
        }
        Nd4j.exec(pool);
    }

    /**
     * Parameter gradients (overwritten) from the gradient of the token vectors {@code gTokens}
     * and of the pooled vectors {@code gPooled} ([n, D]).
     */
    void backward(Tensor gTokens, Tensor gPooled, int n) {
        DynamicCustomOp unpool = unpoolOps[n];
        if (unpool == null) {
            // [n, 1, T]^T x [n, 1, D] -> [n, T, D]: the pooled gradient spread over the real tokens.
            unpool = matmul(poolWeights.rows(n), gPooled.rows(n, 1, gPooled.rowSize()), gradTokens.rows(n), true);
            unpoolOps[n] = unpool;
        }
        Nd4j.exec(unpool);
        Pointwise.add(gradTokens, gTokens, gradTokens, n);
        Tensor g = norm.backward(gradTokens, n, Layer.Grads.ALL);
        for (int i = blocks.length - 1; i >= 0; i--) {
            g = blocks[i].backward(g, n, Layer.Grads.ALL);
        }
        embedding.backward(g, n, Layer.Grads.PARAMS);
    }

    private static DynamicCustomOp matmul(INDArray a, INDArray b, INDArray c, boolean transA) {
        return DynamicCustomOp.builder("matmul").addInputs(a, b).addOutputs(c)
                .addIntegerArguments(transA ? 1 : 0, 0, 0).addFloatingPointArguments(1.0, 0.0).build();
    }
}
