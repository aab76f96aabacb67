package io.atelier.common.eval;

import io.atelier.common.io.InvalidSettingException;
import java.io.Serializable;

/**
 * What defines an evaluation besides the two datasets and the feature network.
 *
 * @param split      split of the real dataset to score against; the floor uses the other split
 * @param fakeSplit  split of the fake dataset, or null for all its rows
 * @param count      images per side at most; every comparison uses the same number (the smallest
 *                   available), since FID depends on sample size
 * @param reservoir  feature vectors kept per side for KID and precision/recall (driver memory bound)
 */
public record EvaluationOptions(String real, String fake, String split, String fakeSplit, long count, long seed,
                                int batch, int reservoir, int kidSubsets, int kidSubsetSize, int k)
        implements Serializable {
    public EvaluationOptions {
        if (real == null || real.isBlank() || fake == null || fake.isBlank()) {
            throw new InvalidSettingException("{real} and {fake}: give both datasets");
        }
        if (count < 2) {
            throw new InvalidSettingException("{count} " + count + ": use at least 2 images per side");
        }
        if (reservoir < k + 2 || kidSubsets < 1 || kidSubsetSize < 2 || k < 1 || batch < 1) {
            throw new IllegalArgumentException("reservoir " + reservoir + ", KID subsets " + kidSubsets + " of "
                    + kidSubsetSize + ", k " + k + ", batch " + batch + ": all must be positive and reservoir > k + 1");
        }
    }

    public static EvaluationOptions of(String real, String fake) {
        return new EvaluationOptions(real, fake, "test", null, 10_000, 42L, 64, 2000, 50, 1000, 3);
    }

    public EvaluationOptions withCount(long n) {
        return new EvaluationOptions(real, fake, split, fakeSplit, n, seed, batch, reservoir, kidSubsets, kidSubsetSize, k);
    }

    public EvaluationOptions withSplits(String realSplit, String fakeSplitOrNull) {
        return new EvaluationOptions(real, fake, realSplit, fakeSplitOrNull, count, seed, batch, reservoir, kidSubsets,
                kidSubsetSize, k);
    }

    public EvaluationOptions withSeed(long s) {
        return new EvaluationOptions(real, fake, split, fakeSplit, count, s, batch, reservoir, kidSubsets, kidSubsetSize, k);
    }

    public EvaluationOptions withReservoir(int r) {
        return new EvaluationOptions(real, fake, split, fakeSplit, count, seed, batch, r, kidSubsets, kidSubsetSize, k);
    }
}
