package io.atelier.common.style;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.Function;

/**
 * Limited-memory BFGS on one array with a box constraint [0, 1] by projection: the two-loop
 * recursion over the last {@code history} steps gives the direction, and a backtracking
 * (Armijo) line search the step. The first direction is the gradient scaled so its largest
 * entry moves {@code firstStep}, since no curvature is known yet.
 */
final class Lbfgs {
    private static final double ARMIJO = 1e-4;
    private static final int MAX_HALVINGS = 12;

    private final int history;
    private final double firstStep;
    private final ArrayDeque<INDArray[]> pairs = new ArrayDeque<>(); // {s, y}, newest first
    private INDArray previousX;
    private INDArray previousGrad;

    Lbfgs(int history, double firstStep) {
        this.history = history;
        this.firstStep = firstStep;
    }

    /**
     * One step from {@code x} (updated in place) with loss {@code f} and gradient {@code grad}
     * there; {@code loss} evaluates a candidate. Returns false when no step lowered the loss.
     */
    boolean step(INDArray x, double f, INDArray grad, Function<INDArray, Double> loss) {
        remember(x, grad);
        INDArray d = direction(grad).negi();
        double slope = grad.mul(d).sumNumber().doubleValue();
        if (slope >= 0) { // not a descent direction (curvature pairs went stale): restart
            pairs.clear();
            d = direction(grad).negi();
            slope = grad.mul(d).sumNumber().doubleValue();
        }
        double t = 1;
        for (int i = 0; i < MAX_HALVINGS; i++, t *= 0.5) {
            INDArray candidate = project(x.add(d.mul(t)));
            if (loss.apply(candidate) <= f + ARMIJO * t * slope) {
                x.assign(candidate);
                return true;
            }
        }
        pairs.clear();
        return false;
    }

    private void remember(INDArray x, INDArray grad) {
        if (previousX != null) {
            INDArray s = x.sub(previousX);
            INDArray y = grad.sub(previousGrad);
            if (s.mul(y).sumNumber().doubleValue() > 1e-12) {
                pairs.addFirst(new INDArray[]{s, y});
                if (pairs.size() > history) {
                    pairs.removeLast();
                }
            }
        }
        previousX = x.dup();
        previousGrad = grad.dup();
    }

    private INDArray direction(INDArray grad) {
        INDArray q = grad.dup();
        if (pairs.isEmpty()) {
            double max = Transforms.abs(q, true).maxNumber().doubleValue();
            return max == 0 ? q : q.muli(firstStep / max);
        }
        double[] alpha = new double[pairs.size()];
        int i = 0;
        for (INDArray[] p : pairs) {
            double rho = 1 / p[1].mul(p[0]).sumNumber().doubleValue();
            alpha[i] = rho * p[0].mul(q).sumNumber().doubleValue();
            q.subi(p[1].mul(alpha[i]));
            i++;
        }
        INDArray[] newest = pairs.peekFirst();
        double gamma = newest[0].mul(newest[1]).sumNumber().doubleValue() / newest[1].mul(newest[1]).sumNumber().doubleValue();
        q.muli(gamma);
        Iterator<INDArray[]> oldestFirst = pairs.descendingIterator();
        for (i = pairs.size() - 1; oldestFirst.hasNext(); i--) {
            INDArray[] p = oldestFirst.next();
            double rho = 1 / p[1].mul(p[0]).sumNumber().doubleValue();
            double beta = rho * p[1].mul(q).sumNumber().doubleValue();
            q.addi(p[0].mul(alpha[i] - beta));
        }
        return q;
    }

    private static INDArray project(INDArray x) {
        return Transforms.min(Transforms.max(x, 0.0, false), 1.0, false);
    }
}
