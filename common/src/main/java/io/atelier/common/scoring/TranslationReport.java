package io.atelier.common.scoring;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A CycleGAN translation's scores and everything that defines them (the JSON {@code evaluate}
 * writes for a CycleGAN run).
 *
 * @param direction          a2b or b2a
 * @param sourceDomain       label names of the images translated
 * @param targetDomain       label names the translations should look like
 * @param sourceCount        source images translated (all of the split's, up to --count)
 * @param targetCount        real target images compared with (the same split, up to --count)
 * @param targetShare        shares the classifier assigns to a target label; null when skipped
 * @param targetShareSkipped why there is no target share; null when there is
 * @param cycleL1            mean per-pixel |F(G(x)) - x| over the source images, in [0, 1] pixel units
 * @param fid                FIDs against the real target images
 * @param paired             L1 against each source image's ground truth (the target image of its name);
 *                           null when the dataset is not split by name or no name pairs up
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TranslationReport(String direction, List<String> sourceDomain, List<String> targetDomain,
                                long sourceCount, long targetCount, TargetShare targetShare, String targetShareSkipped,
                                double cycleL1, Fid fid, Paired paired, Map<String, Object> definition) {

    /**
     * @param translated   of the translations G(x): how often the translation reads as the target domain
     * @param untranslated of the source images themselves (the baseline a translation should beat)
     * @param realTarget   of the real target images (the ceiling, the classifier's own accuracy on them)
     */
    public record TargetShare(double translated, double untranslated, double realTarget) {
    }

    /**
     * @param translated   the translations against the real target images
     * @param untranslated the source images themselves against the same target images (identity baseline)
     * @param floor        one half of the real target images against the other; null when too few
     * @param floorCounts  the halves' sizes; FID grows as samples shrink, so the floor of two halves
     *                     lies somewhat above that of two full samples
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Fid(double translated, double untranslated, Double floor, List<Long> floorCounts) {
    }

    /**
     * Mean per-pixel L1 against the ground truth y (the split's target image of x's file name), in
     * [0, 1] pixel units.
     *
     * @param pairs               sampled source images whose name has a target image in the split
     * @param translatedL1        |translation(x) - y|, translations rounded to 8 bits as stored
     * @param identityL1          |x - y|: the untranslated baseline a translation should beat
     * @param gainOverIdentity    identityL1 - translatedL1 pair by pair, with its uncertainty
     * @param nearestTrainL1      |n(x) - y|, n(x) the target domain's train image nearest x in L2 (retrieval
     *                            baseline); null when skipped
     * @param nearestTrainSkipped why there is no nearestTrainL1; null when there is
     * @param trainImages         the target domain's train images searched (or counted, when skipped)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Paired(long pairs, double translatedL1, double identityL1, Gain gainOverIdentity,
                         Double nearestTrainL1, String nearestTrainSkipped, long trainImages) {
    }

    /**
     * How much closer to its target image each translation is than the untranslated source, over
     * the pairs: d_i = |x_i - y_i| - |t_i - y_i| (per-pixel means, [0, 1] units).
     *
     * @param mean          the mean of d (identityL1 - translatedL1)
     * @param ci95          mean -/+ 1.96 standard errors (normal approximation; null for one pair)
     * @param shareOfPairs  the share of pairs with d > 0: translation closer than the source
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Gain(double mean, List<Double> ci95, double shareOfPairs) {
        /** From the per-pair gains d, a [n] vector. */
        public static Gain of(INDArray d) {
            long n = d.length();
            double mean = d.meanNumber().doubleValue();
            double share = d.gt(0).castTo(DataType.DOUBLE).meanNumber().doubleValue();
            if (n < 2) {
                return new Gain(mean, null, share);
            }
            double halfWidth = 1.96 * d.stdNumber().doubleValue() / Math.sqrt(n); // std with n - 1
            return new Gain(mean, List.of(mean - halfWidth, mean + halfWidth), share);
        }
    }

    /** The table {@code evaluate} prints. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add(String.format("translation %s: %s -> %s, %d source and %d target images", direction,
                String.join(",", sourceDomain), String.join(",", targetDomain), sourceCount, targetCount));
        lines.add(String.format("%-28s %12s %12s", "", "target share", "FID"));
        // G maps A to B and F maps B to A: name the generators of this direction.
        boolean a2b = "a2b".equals(direction);
        String there = a2b ? "G" : "F";
        String back = a2b ? "F" : "G";
        lines.add(row("translated " + there + "(x)", targetShare == null ? null : targetShare.translated(), fid.translated(), ""));
        lines.add(row("untranslated x (baseline)", targetShare == null ? null : targetShare.untranslated(),
                fid.untranslated(), ""));
        lines.add(row("real target (ceiling/floor)", targetShare == null ? null : targetShare.realTarget(), fid.floor(),
                fid.floor() == null ? "  (floor omitted: too few target images)"
                        : "  (floor: two halves of " + fid.floorCounts().get(0) + " and " + fid.floorCounts().get(1) + ")"));
        if (targetShareSkipped != null) {
            lines.add("target share skipped: " + targetShareSkipped);
        }
        lines.add(String.format("cycle L1 |%s(%s(x)) - x|: %.4f (mean per pixel, pixel values in [0, 1])", back, there, cycleL1));
        if (paired != null) {
            lines.add(String.format("paired: %d source images with a target image of their name y; L1 to y per pixel:",
                    paired.pairs()));
            lines.add(String.format("  translated %s(x) %.4f, untranslated x %.4f, nearest of %d train targets %s",
                    there, paired.translatedL1(), paired.identityL1(), paired.trainImages(),
                    paired.nearestTrainL1() == null ? "skipped: " + paired.nearestTrainSkipped()
                            : String.format("%.4f", paired.nearestTrainL1())));
            Gain gain = paired.gainOverIdentity();
            lines.add(String.format("  translated closer to y than x by %.4f per pixel%s; closer for %.0f%% of the pairs",
                    gain.mean(), gain.ci95() == null ? "" : String.format(" (95%% CI %.4f to %.4f)", gain.ci95().get(0),
                            gain.ci95().get(1)), 100 * gain.shareOfPairs()));
        }
        return lines;
    }

    private static String row(String what, Double share, Double fid, String note) {
        return String.format("%-28s %12s %12s%s", what, share == null ? "-" : String.format("%.4f", share),
                fid == null ? "-" : String.format("%.4f", fid), note);
    }
}
