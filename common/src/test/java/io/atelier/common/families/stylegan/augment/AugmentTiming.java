package io.atelier.common.families.stylegan.augment;

import io.atelier.common.nn.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * The timing note of docs/ada.md (a program, not a test): median ms of apply and of backward
 * for a batch of 32 images of 32x32x3 at p = 1, 0.6 and 0 (then 1 and 0.6 again), and, on the same shapes, the
 * alternative the pipeline does not use: a gather of 4 neighbours per output pixel and its
 * adjoint scatter_add (single-threaded, the deterministic setting).
 * Arguments: [batch=32] [size=32] [repeats=30].
 */
public final class AugmentTiming {
    private AugmentTiming() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        Tensor x = new Tensor(n, size, size, 3);
        x.rows(n).assign(Nd4j.rand(DataType.FLOAT, n, size, size, 3).muli(2).subi(1));
        Tensor g = new Tensor(n, size, size, 3);
        g.rows(n).assign(Nd4j.rand(DataType.FLOAT, n, size, size, 3));
        AugmentPipeline pipe = new AugmentPipeline(n, size, size, 3);
        System.out.printf("batch %d of %dx%dx3, %d native threads%n", n, size, size,
                Nd4j.getEnvironment().maxMasterThreads());
        for (double p : new double[]{1.0, 0.6, 0.0, 1.0, 0.6}) {
            double[] fwd = new double[repeats];
            double[] bwd = new double[repeats];
            for (int r = -5; r < repeats; r++) {
                long t0 = System.nanoTime();
                pipe.apply(x, n, p, 1000 + r);
                long t1 = System.nanoTime();
                pipe.backward(g, n);
                long t2 = System.nanoTime();
                if (r >= 0) {
                    fwd[r] = (t1 - t0) / 1e6;
                    bwd[r] = (t2 - t1) / 1e6;
                }
            }
            System.out.printf("p = %.1f: apply %.1f ms (min %.1f), backward %.1f ms (min %.1f); medians of %d%n",
                    p, median(fwd), min(fwd), median(bwd), min(bwd), repeats);
        }
        int rows = n * size * size;
        INDArray pixels = Nd4j.rand(DataType.FLOAT, rows, 3);
        INDArray index = Nd4j.rand(DataType.FLOAT, 4L * rows).muli(rows).castTo(DataType.INT);
        INDArray gathered = Nd4j.create(DataType.FLOAT, 4L * rows, 3);
        INDArray acc = Nd4j.create(DataType.FLOAT, rows, 3);
        DynamicCustomOp gather = DynamicCustomOp.builder("gather").addInputs(pixels, index).addOutputs(gathered)
                .addIntegerArguments(0).build();
        DynamicCustomOp scatter = DynamicCustomOp.builder("scatter_add").addInputs(acc, index, gathered).addOutputs(acc)
                .addBooleanArguments(true, false).build();
        double[] gt = new double[repeats];
        double[] st = new double[repeats];
        for (int r = -3; r < repeats; r++) {
            long t0 = System.nanoTime();
            Nd4j.exec(gather);
            long t1 = System.nanoTime();
            acc.assign(0);
            Nd4j.exec(scatter);
            long t2 = System.nanoTime();
            if (r >= 0) {
                gt[r] = (t1 - t0) / 1e6;
                st[r] = (t2 - t1) / 1e6;
            }
        }
        System.out.printf("alternative: gather of 4 neighbours %.1f ms (min %.1f), scatter_add (locked) %.1f ms (min %.1f); medians of %d%n",
                median(gt), min(gt), median(st), min(st), repeats);
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
