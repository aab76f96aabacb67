package io.atelier.common.families.diffusion;

import io.atelier.common.io.InvalidSettingException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;
import java.util.Locale;

/**
 * The forward process q(x_t | x_0) = N(sqrt(abar_t) x_0, (1 - abar_t) I) over T steps
 * (t = 0 .. T-1), and the two reverse updates built on it: DDPM's ancestral step with the
 * posterior variance, and DDIM's step between any two times with noise scale eta. Linear
 * betas follow Ho et al. (1e-4 to 0.02, rescaled by 1000 / T); cosine follows Nichol and
 * Dhariwal (abar(t) = cos^2(((t/T) + s) / (1 + s) * pi/2), s = 0.008, betas capped at 0.999).
 * The formulas are ND4J ops in place on [n, D] float rows (training and sampling both run these);
 * the levels come from the double-precision schedule, as float columns or scalars.
 */
public final class NoiseSchedule implements Serializable {
    public static final double COSINE_OFFSET = 0.008;
    public static final double MAX_BETA = 0.999;

    public enum Kind {
        LINEAR, COSINE;

        public static Kind parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException("{schedule} " + s + ": use linear or cosine");
            }
        }
    }

    private final Kind kind;
    private final double[] betas;
    private final double[] alphaBars;

    public NoiseSchedule(Kind kind, int timesteps) {
        if (timesteps < 2) {
            throw new InvalidSettingException("{timesteps} " + timesteps + ": use 2 or more");
        }
        this.kind = kind;
        this.betas = new double[timesteps];
        this.alphaBars = new double[timesteps];
        if (kind == Kind.LINEAR) {
            double scale = 1000.0 / timesteps;
            double lo = scale * 1e-4;
            double hi = Math.min(scale * 0.02, MAX_BETA);
            for (int t = 0; t < timesteps; t++) {
                betas[t] = lo + (hi - lo) * t / (timesteps - 1);
            }
        } else {
            for (int t = 0; t < timesteps; t++) {
                betas[t] = Math.min(MAX_BETA, 1 - cosineAlphaBar(t + 1, timesteps) / cosineAlphaBar(t, timesteps));
            }
        }
        double ab = 1;
        for (int t = 0; t < timesteps; t++) {
            ab *= 1 - betas[t];
            alphaBars[t] = ab;
        }
    }

    /** f(t) / f(0) of the cosine schedule at (continuous) step t of T. */
    static double cosineAlphaBar(double t, int timesteps) {
        double f0 = Math.cos(COSINE_OFFSET / (1 + COSINE_OFFSET) * Math.PI / 2);
        double f = Math.cos((t / timesteps + COSINE_OFFSET) / (1 + COSINE_OFFSET) * Math.PI / 2);
        return (f * f) / (f0 * f0);
    }

    public Kind kind() {
        return kind;
    }

    public int timesteps() {
        return betas.length;
    }

    public double beta(int t) {
        return betas[t];
    }

    /** abar_t = prod_{s <= t} (1 - beta_s); 1 for t = -1 (no noise). */
    public double alphaBar(int t) {
        return t < 0 ? 1.0 : alphaBars[t];
    }

    /** Var[x_{t-1} | x_t, x_0] = beta_t (1 - abar_{t-1}) / (1 - abar_t). */
    public double posteriorVariance(int t) {
        return betas[t] * (1 - alphaBar(t - 1)) / (1 - alphaBar(t));
    }

    /**
     * sqrt(abar_t) and sqrt(1 - abar_t) for images at times {@code times[0 .. n)}, as floats: the
     * per-row levels that {@link #noise} and {@link #velocity} take as [n, 1] columns.
     */
    public void levels(int[] times, int n, float[] signal, float[] noise) {
        for (int i = 0; i < n; i++) {
            signal[i] = (float) Math.sqrt(alphaBar(times[i]));
            noise[i] = (float) Math.sqrt(1 - alphaBar(times[i]));
        }
    }

    /**
     * x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps into {@code xt}, for [n, D] rows with their own
     * levels ([n, 1] columns from {@link #levels}); {@code tmp} is [n, D] scratch.
     */
    public static void noise(INDArray x0, INDArray eps, INDArray signal, INDArray noise, INDArray tmp, INDArray xt) {
        Nd4j.exec(new MulOp(x0, signal, xt));
        Nd4j.exec(new MulOp(eps, noise, tmp));
        Nd4j.exec(new AddOp(xt, tmp, xt));
    }

    /** v = sqrt(abar_t) eps - sqrt(1 - abar_t) x0, the v-prediction target, per row like {@link #noise}. */
    public static void velocity(INDArray x0, INDArray eps, INDArray signal, INDArray noise, INDArray tmp, INDArray v) {
        Nd4j.exec(new MulOp(eps, signal, v));
        Nd4j.exec(new MulOp(x0, noise, tmp));
        Nd4j.exec(new SubOp(v, tmp, v));
    }

    /**
     * Turns a v prediction at x_t (every row at time t) into the equivalent noise prediction in
     * place: eps = sqrt(abar_t) v + sqrt(1 - abar_t) x_t. {@code tmp} is scratch of v's shape.
     */
    public void velocityToEps(INDArray xt, INDArray v, int t, INDArray tmp) {
        v.muli(Math.sqrt(alphaBar(t)));
        Nd4j.exec(new AddOp(v, tmp.assign(xt).muli(Math.sqrt(1 - alphaBar(t))), v));
    }

    /**
     * DDPM's ancestral step from t to t-1, in place on {@code x} (every row at time t): the
     * posterior mean of the predicted x_0 (clipped to [-1, 1]), plus sqrt(posterior variance) z
     * except at t = 0 or with z null. z is scaled in place; {@code clean} is scratch of x's shape.
     */
    public void ddpmStep(INDArray x, INDArray eps, INDArray z, int t, INDArray clean) {
        double ab = alphaBar(t);
        double abPrev = alphaBar(t - 1);
        double beta = betas[t];
        INDArray c = predictedClean(x, eps, t, clean).muli(beta * Math.sqrt(abPrev) / (1 - ab));
        x.muli((1 - abPrev) * Math.sqrt(1 - beta) / (1 - ab)).addi(c);
        if (z != null && t > 0) {
            x.addi(z.muli(Math.sqrt(posteriorVariance(t))));
        }
    }

    /**
     * DDIM's step from t to s < t (s = -1: to the data), in place on {@code x}: x_s = sqrt(abar_s)
     * x0 + sqrt(1 - abar_s - sigma^2) eps' + sigma z with sigma = eta sqrt((1 - abar_s) / (1 -
     * abar_t)) sqrt(1 - abar_t / abar_s). x0 is clipped to [-1, 1] and eps' re-derived from it, so
     * with s = t - 1 and eta = 1 the step is DDPM's. z (null: no noise) is scaled in place;
     * {@code clean} and {@code tmp} are scratch of x's shape.
     */
    public void ddimStep(INDArray x, INDArray eps, INDArray z, int t, int s, double eta, INDArray clean, INDArray tmp) {
        double ab = alphaBar(t);
        double abs = alphaBar(s);
        double sigma = eta * Math.sqrt((1 - abs) / (1 - ab)) * Math.sqrt(1 - ab / abs);
        double dir = Math.sqrt(Math.max(0, 1 - abs - sigma * sigma));
        INDArray c = predictedClean(x, eps, t, clean);
        INDArray e = tmp.assign(c).muli(-Math.sqrt(ab)).addi(x).divi(Math.sqrt(1 - ab));
        x.assign(c).muli(Math.sqrt(abs)).addi(e.muli(dir));
        if (z != null && sigma > 0) {
            x.addi(z.muli(sigma));
        }
    }

    /** The predicted x_0 = clip((x_t - sqrt(1 - abar_t) eps) / sqrt(abar_t), -1, 1), into {@code out}. */
    private INDArray predictedClean(INDArray x, INDArray eps, int t, INDArray out) {
        double ab = alphaBar(t);
        out.assign(eps).muli(-Math.sqrt(1 - ab)).addi(x).divi(Math.sqrt(ab));
        Nd4j.exec(DynamicCustomOp.builder("clipbyvalue").addInputs(out).addOutputs(out).addFloatingPointArguments(-1.0, 1.0).build());
        return out;
    }

    /** S evenly spaced steps from T-1 down to 0 (all T when S = T). */
    public int[] ddimTimes(int steps) {
        int n = timesteps();
        if (steps < 1 || steps > n) {
            throw new InvalidSettingException("{steps} " + steps + ": use 1 to " + n + " (the run's timesteps)");
        }
        int[] ts = new int[steps];
        for (int k = 0; k < steps; k++) {
            int fromZero = steps == 1 ? n - 1 : (int) Math.round(k * (n - 1) / (double) (steps - 1));
            ts[steps - 1 - k] = fromZero;
        }
        return ts;
    }

}
