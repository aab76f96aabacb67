package io.atelier.common.eval;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * An evaluation's result and everything that defines it.
 *
 * @param floor        the same metrics between two disjoint real samples of the same size: what
 *                     a perfect generator would reach with these features and counts
 * @param fidOverFloor {@code scores.fid / floor.fid}; 1 means indistinguishable from real data
 * @param fakeClassAccuracy for labelled fake images (a class-conditional model's samples): the
 *                     feature classifier's accuracy per class; null when not measured
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvaluationReport(Scores scores, Scores floor, double fidOverFloor, Map<String, Object> definition,
                               Map<String, Double> fakeClassAccuracy) {

    public EvaluationReport withFakeClassAccuracy(Map<String, Double> perClass) {
        return new EvaluationReport(scores, floor, fidOverFloor, definition, perClass);
    }
}
