package io.atelier.common.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Token plus learned position embedding: row r's input is T token ids (as floats, whole numbers
 * below the table's size), its output [T, D] with {@code y[t] = table[id_t] + position[t]}. The
 * lookup is the backend's {@code gather}; its adjoint a {@code scatter_add} of the output
 * gradient into the zeroed table gradient, run with the op's lock so that repeated ids add up
 * in a fixed order (a bit-identical rerun needs that). The position gradient is the output
 * gradient summed over rows. There is no input gradient: ids are not trained.
 */
public final class TokenEmbedding implements Layer {
    private final int tokens;
    private final int vocabulary;
    private final INDArray table;
    private final INDArray gTable;
    private final INDArray position;
    private final INDArray gPosition;
    private final INDArray ids;
    private final Tensor y;

    public static void register(ParamLayout.Builder layout, String name, int vocabulary, int tokens, int d, double std) {
        layout.add(name + ".tokens", ParamLayout.Init.NORMAL, std, vocabulary, d);
        layout.add(name + ".positions", ParamLayout.Init.NORMAL, std, tokens, d);
    }

    public TokenEmbedding(Params params, String name, int vocabulary, int tokens, int d, int maxRows) {
        this.tokens = tokens;
        this.vocabulary = vocabulary;
        this.table = params.value(name + ".tokens");
        this.gTable = params.grad(name + ".tokens");
        this.position = params.value(name + ".positions");
        this.gPosition = params.grad(name + ".positions");
        this.ids = Nd4j.create(DataType.INT32, (long) maxRows * tokens);
        this.y = new Tensor(maxRows, tokens, d);
    }

    public int vocabulary() {
        return vocabulary;
    }

    @Override
    public long[] outShape() {
        return y.rowShape();
    }

    @Override
    public Tensor forward(Tensor tokenIds, int n, Pass pass) {
        if (tokenIds.rowSize() != tokens) {
            throw new IllegalArgumentException("token embedding: rows have " + tokenIds.rowSize() + " ids, expected " + tokens);
        }
        INDArray idx = ids(n);
        idx.assign(tokenIds.matrix(n).reshape('c', new long[]{(long) n * tokens}));
        Nd4j.exec(DynamicCustomOp.builder("gather").addInputs(table, idx).addOutputs(y.pixels(n))
                .addIntegerArguments(0).build());
        // [n, T, D] + [T, D], broadcast over the rows.
        LayerNorm.broadcast("add", y.rows(n), position, y.rows(n));
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOut, int n, Grads grads) {
        if (grads.params()) {
            gTable.assign(0);
            Nd4j.exec(DynamicCustomOp.builder("scatter_add").addInputs(gTable, ids(n), gradOut.pixels(n))
                    .addOutputs(gTable).addBooleanArguments(true, false).build());
            gradOut.rows(n).sum(gPosition, 0);
        }
        return null;
    }

    private INDArray ids(int n) {
        return ids.get(NDArrayIndex.interval(0, (long) n * tokens));
    }
}
