package io.atelier.common.nn;

/**
 * Cross-attention from NHWC feature maps [H, W, C] to a sequence of token vectors [T, D], with a
 * residual: {@code y = x + MHA(q = GroupNorm(x), k = v = tokens)}, padding tokens masked, the
 * output projection started small so a new layer begins close to the identity (as the U-Net's
 * {@link SelfAttention}). The tokens and their mask are set per batch with {@link #setContext};
 * after a backward pass {@link #gradContext()} holds the tokens' gradient.
 */
public final class CrossAttention implements Layer {
    private final GroupNormAct norm;
    private final MultiHeadAttention attn;
    private final Tensor y;
    private final Tensor gradIn;
    private Tensor context;
    private Tensor mask;

    public static void register(ParamLayout.Builder layout, String name, int c, int d) {
        GroupNormAct.register(layout, name + ".norm", c);
        MultiHeadAttention.register(layout, name + ".attn", c, d, c, 0.1);
    }

    public CrossAttention(Params params, String name, int h, int w, int c, int groups, int tokens, int d, int heads,
                          int maxRows) {
        this.norm = new GroupNormAct(params, name + ".norm", Math.min(groups, c), false, maxRows, h, w, c);
        this.attn = new MultiHeadAttention(params, name + ".attn", new long[]{h, w}, c, tokens, d, c, heads, maxRows);
        this.y = new Tensor(maxRows, h, w, c);
        this.gradIn = new Tensor(maxRows, h, w, c);
    }

    /** The token vectors [T, D] per row and their additive key mask [T] per row for the next passes. */
    public void setContext(Tensor tokens, Tensor mask) {
        this.context = tokens;
        this.mask = mask;
    }

    @Override
    public long[] outShape() {
        return y.rowShape();
    }

    @Override
    public Tensor forward(Tensor in, int n, Pass pass) {
        return Pointwise.add(in, attn.forward(norm.forward(in, n, pass), context, mask, n, pass), y, n);
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        Tensor gn = norm.backward(attn.backward(gradOut, n), n, Grads.ALL);
        return Pointwise.add(gn, gradOut, gradIn, n);
    }

    /** The gradient of the tokens from the last backward pass. */
    public Tensor gradContext() {
        return attn.gradContext();
    }
}
