package io.atelier.common.eval;

/** The metrics between two samples' features. */
public record Scores(double fid, double kidMean, double kidStd, double precision, double recall, long realCount,
                     long fakeCount, int reservoirCount) {

    public static Scores between(FeatureSummary real, FeatureSummary fake, EvaluationOptions o, long kidSeed) {
        float[][] r = real.reservoir().features();
        float[][] f = fake.reservoir().features();
        KernelInceptionDistance.Kid kid = KernelInceptionDistance.compute(r, f, o.kidSubsets(), o.kidSubsetSize(), kidSeed);
        PrecisionRecall.Result pr = PrecisionRecall.compute(r, f, o.k());
        return new Scores(FrechetDistance.between(real.statistics(), fake.statistics()), kid.mean(), kid.std(),
                pr.precision(), pr.recall(), real.statistics().count(), fake.statistics().count(),
                Math.min(r.length, f.length));
    }
}
