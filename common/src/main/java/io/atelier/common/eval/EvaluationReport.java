package io.atelier.common.eval;

import java.util.Map;

/**
 * An evaluation's result and everything that defines it.
 *
 * @param floor        the same metrics between two disjoint real samples of the same size: what
 *                     a perfect generator would reach with these features and counts
 * @param fidOverFloor {@code scores.fid / floor.fid}; 1 means indistinguishable from real data
 */
public record EvaluationReport(Scores scores, Scores floor, double fidOverFloor, Map<String, Object> definition) {
}
