package io.atelier.common.nn;

/**
 * A pre-norm transformer encoder block over rows of T tokens [T, D]:
 * {@code x1 = x + MHA(LN1(x))} (multi-head self-attention, padding keys masked) and
 * {@code y = x1 + W2 SiLU(W1 LN2(x1))} with an MLP four times as wide. The padding mask is set
 * per batch with {@link #setMask} (per row one additive value per token: 0, or
 * {@link #MASKED} for padding) and read by every block of an encoder.
 */
public final class TransformerBlock implements Layer {
    public static final float MASKED = AttentionCore.MASKED;

    private final LayerNorm ln1;
    private final MultiHeadAttention attn;
    private final LayerNorm ln2;
    private final Dense fc1;
    private final Silu act;
    private final Dense fc2;
    private final Tensor x1;
    private final Tensor y;
    private final Tensor gx1;
    private final Tensor ga;
    private final Tensor gradIn;
    private Tensor mask;

    public static void register(ParamLayout.Builder layout, String name, int d) {
        LayerNorm.register(layout, name + ".ln1", d);
        MultiHeadAttention.register(layout, name + ".attn", d, d, d, 1.0);
        LayerNorm.register(layout, name + ".ln2", d);
        Dense.register(layout, name + ".fc1", d, 4 * d, Math.sqrt(1.0 / d));
        Dense.register(layout, name + ".fc2", 4 * d, d, Math.sqrt(1.0 / (4 * d)));
    }

    public TransformerBlock(Params params, String name, int tokens, int d, int heads, int maxRows) {
        this.ln1 = new LayerNorm(params, name + ".ln1", maxRows, tokens, d);
        this.attn = new MultiHeadAttention(params, name + ".attn", new long[]{tokens}, d, tokens, d, d, heads, maxRows);
        this.ln2 = new LayerNorm(params, name + ".ln2", maxRows, tokens, d);
        this.fc1 = Dense.perPosition(params, name + ".fc1", d, 4 * d, maxRows, tokens);
        this.act = new Silu(maxRows, tokens, 4L * d);
        this.fc2 = Dense.perPosition(params, name + ".fc2", 4 * d, d, maxRows, tokens);
        this.x1 = new Tensor(maxRows, tokens, d);
        this.y = new Tensor(maxRows, tokens, d);
        this.gx1 = new Tensor(maxRows, tokens, d);
        this.ga = new Tensor(maxRows, tokens, d);
        this.gradIn = new Tensor(maxRows, tokens, d);
    }

    /** The additive key mask, [T] per row, that the next passes use. */
    public void setMask(Tensor mask) {
        this.mask = mask;
    }

    @Override
    public long[] outShape() {
        return y.rowShape();
    }

    @Override
    public Tensor forward(Tensor in, int n, Pass pass) {
        Tensor a = ln1.forward(in, n, pass);
        Pointwise.add(in, attn.forward(a, a, mask, n, pass), x1, n);
        Tensor m = fc2.forward(act.forward(fc1.forward(ln2.forward(x1, n, pass), n, pass), n, pass), n, pass);
        return Pointwise.add(x1, m, y, n);
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        Tensor gb = fc1.backward(act.backward(fc2.backward(gradOut, n, Grads.ALL), n, Grads.ALL), n, Grads.ALL);
        Pointwise.add(ln2.backward(gb, n, Grads.ALL), gradOut, gx1, n);
        Pointwise.add(attn.backward(gx1, n), attn.gradContext(), ga, n);
        return Pointwise.add(ln1.backward(ga, n, Grads.ALL), gx1, gradIn, n);
    }
}
