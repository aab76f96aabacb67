package io.atelier.common.scoring;

import com.fasterxml.jackson.annotation.JsonInclude;

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
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TranslationReport(String direction, List<String> sourceDomain, List<String> targetDomain,
                                long sourceCount, long targetCount, TargetShare targetShare, String targetShareSkipped,
                                double cycleL1, Fid fid, Map<String, Object> definition) {

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
        return lines;
    }

    private static String row(String what, Double share, Double fid, String note) {
        return String.format("%-28s %12s %12s%s", what, share == null ? "-" : String.format("%.4f", share),
                fid == null ? "-" : String.format("%.4f", fid), note);
    }
}
