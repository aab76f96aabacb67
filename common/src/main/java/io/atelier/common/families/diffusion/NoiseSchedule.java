package io.atelier.common.families.diffusion;

import java.io.Serializable;
import java.util.Locale;

/**
 * The forward process q(x_t | x_0) = N(sqrt(abar_t) x_0, (1 - abar_t) I) over T steps
 * (t = 0 .. T-1), and the two reverse updates built on it: DDPM's ancestral step with the
 * posterior variance, and DDIM's step between any two times with noise scale eta. Linear
 * betas follow Ho et al. (1e-4 to 0.02, rescaled by 1000 / T); cosine follows Nichol and
 * Dhariwal (abar(t) = cos^2(((t/T) + s) / (1 + s) * pi/2), s = 0.008, betas capped at 0.999).
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
                throw new IllegalArgumentException("--schedule " + s + ": use linear or cosine");
            }
        }
    }

    private final Kind kind;
    private final double[] betas;
    private final double[] alphaBars;

    public NoiseSchedule(Kind kind, int timesteps) {
        if (timesteps < 2) {
            throw new IllegalArgumentException("--timesteps " + timesteps + ": use 2 or more");
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

    /** x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps over {@code len} values from {@code off}. */
    public void noise(float[] x0, float[] eps, int off, int len, int t, float[] xt) {
        float a = (float) Math.sqrt(alphaBar(t));
        float b = (float) Math.sqrt(1 - alphaBar(t));
        for (int i = off; i < off + len; i++) {
            xt[i] = a * x0[i] + b * eps[i];
        }
    }

    /** v = sqrt(abar_t) eps - sqrt(1 - abar_t) x0, the v-prediction target. */
    public void velocity(float[] x0, float[] eps, int off, int len, int t, float[] v) {
        float a = (float) Math.sqrt(alphaBar(t));
        float b = (float) Math.sqrt(1 - alphaBar(t));
        for (int i = off; i < off + len; i++) {
            v[i] = a * eps[i] - b * x0[i];
        }
    }

    /** Turns a v prediction at x_t into the equivalent noise prediction, in place. */
    public void velocityToEps(float[] xt, int xOff, float[] v, int vOff, int len, int t) {
        float a = (float) Math.sqrt(alphaBar(t));
        float b = (float) Math.sqrt(1 - alphaBar(t));
        for (int i = 0; i < len; i++) {
            v[vOff + i] = a * v[vOff + i] + b * xt[xOff + i];
        }
    }

    /**
     * DDPM's ancestral step from t to t-1, in place on {@code x}: the predicted x_0 (clipped to
     * [-1, 1]), the posterior mean, and sqrt(posterior variance) times {@code z} (not at t = 0).
     */
    public void ddpmStep(float[] x, float[] eps, int off, int len, int t, float[] z) {
        double ab = alphaBar(t);
        double abPrev = alphaBar(t - 1);
        double c1 = betas[t] * Math.sqrt(abPrev) / (1 - ab);
        double c2 = (1 - abPrev) * Math.sqrt(1 - betas[t]) / (1 - ab);
        double sd = t > 0 ? Math.sqrt(posteriorVariance(t)) : 0;
        double ra = Math.sqrt(ab);
        double rb = Math.sqrt(1 - ab);
        for (int i = off; i < off + len; i++) {
            double x0 = clip((x[i] - rb * eps[i]) / ra);
            x[i] = (float) (c1 * x0 + c2 * x[i] + sd * (t > 0 ? z[i] : 0));
        }
    }

    /**
     * DDIM's step from t to s < t (s = -1: to the data), in place: x_s = sqrt(abar_s) x0 +
     * sqrt(1 - abar_s - sigma^2) eps + sigma z with sigma = eta sqrt((1 - abar_s) / (1 - abar_t))
     * sqrt(1 - abar_t / abar_s). x0 is clipped to [-1, 1] and eps re-derived from it, so with
     * s = t - 1 and eta = 1 the step is DDPM's.
     */
    public void ddimStep(float[] x, float[] eps, int off, int len, int t, int s, double eta, float[] z) {
        double ab = alphaBar(t);
        double abs = alphaBar(s);
        double sigma = eta * Math.sqrt((1 - abs) / (1 - ab)) * Math.sqrt(1 - ab / abs);
        double dir = Math.sqrt(Math.max(0, 1 - abs - sigma * sigma));
        double ra = Math.sqrt(ab);
        double rb = Math.sqrt(1 - ab);
        double rs = Math.sqrt(abs);
        for (int i = off; i < off + len; i++) {
            double x0 = clip((x[i] - rb * eps[i]) / ra);
            double e = (x[i] - ra * x0) / rb;
            x[i] = (float) (rs * x0 + dir * e + (sigma > 0 ? sigma * z[i] : 0));
        }
    }

    /** S evenly spaced steps from T-1 down to 0 (all T when S = T). */
    public int[] ddimTimes(int steps) {
        int n = timesteps();
        if (steps < 1 || steps > n) {
            throw new IllegalArgumentException("--steps " + steps + ": use 1 to " + n + " (the run's timesteps)");
        }
        int[] ts = new int[steps];
        for (int k = 0; k < steps; k++) {
            int fromZero = steps == 1 ? n - 1 : (int) Math.round(k * (n - 1) / (double) (steps - 1));
            ts[steps - 1 - k] = fromZero;
        }
        return ts;
    }

    private static double clip(double v) {
        return Math.max(-1, Math.min(1, v));
    }
}
