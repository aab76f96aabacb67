package io.atelier.common.train;

import io.atelier.common.runs.TrainingState;

import java.util.Map;

/**
 * A finished round: the averaged state, the workers' mean metrics, and where the time went. A
 * diverged round ({@code divergences} not empty) was not averaged: its state is the round's input.
 *
 * @param roundSeconds     wall time of the round on the driver, broadcast to averaged state
 * @param computeSeconds   the slowest worker's K local steps
 * @param broadcastSeconds the slowest worker's fetch and copy of the broadcast state
 * @param devices          where each worker computed, in worker order
 * @param divergences      the workers whose results were rejected, in worker order; empty when none
 */
public record RoundResult(TrainingState state, Map<String, Double> metrics,
                          double roundSeconds, double computeSeconds, double broadcastSeconds,
                          java.util.List<String> devices, java.util.List<Divergence> divergences) {

    public boolean diverged() {
        return !divergences.isEmpty();
    }

    /** Everything in the round that is not local computation: broadcast, scheduling, transfer, averaging. */
    public double overheadSeconds() {
        return Math.max(0, roundSeconds - computeSeconds);
    }

    public double overheadShare() {
        return roundSeconds > 0 ? overheadSeconds() / roundSeconds : 0;
    }
}
