package io.atelier.common.train;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One line of {@code metrics.jsonl}. {@code round}, {@code step}, {@code imagesSeen} and
 * {@code metrics} (the workers' means) are determined by the config and seed; the timings and
 * {@code time} are measurements and differ between runs.
 *
 * @param metrics          what the workers reported (losses, ...), averaged over steps and workers
 * @param roundSeconds     wall time of the round on the driver
 * @param computeSeconds   the slowest worker's K local steps
 * @param broadcastSeconds the slowest worker's fetch and copy of the broadcast state
 * @param overheadSeconds  round minus compute: broadcast, scheduling, result transfer, averaging
 * @param overheadShare    overhead as a share of the round
 * @param imagesPerSecond  images trained on per second of round time, all workers together
 * @param evaluationSeconds wall time of the scores computed after the round (0 when none were),
 *                          not part of the round time
 * @param devices          where each worker computed this round, in worker order
 *                          ({@code executor 1: gpu 0}, {@code executor driver: cpu, 2 threads}); a measurement
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RoundRecord(int round, long step, long imagesSeen, Map<String, Double> metrics,
                          double roundSeconds, double computeSeconds, double broadcastSeconds,
                          double overheadSeconds, double overheadShare,
                          double imagesPerSecond, double stepsPerSecond, double evaluationSeconds, String time,
                          List<String> devices) {

    /** @param scores the evaluator's metrics for this round (empty when none ran), logged beside the workers' */
    static RoundRecord of(RoundResult r, int workers, int localSteps, int imagesPerStep, Map<String, Double> scores,
                          double evaluationSeconds) {
        TrainingState s = r.state();
        double perSecond = r.roundSeconds() > 0 ? 1 / r.roundSeconds() : 0;
        Map<String, Double> metrics = new LinkedHashMap<>(r.metrics());
        for (Map.Entry<String, Double> e : scores.entrySet()) {
            if (metrics.putIfAbsent(e.getKey(), e.getValue()) != null) {
                throw new IllegalStateException("the round evaluator's metric '" + e.getKey()
                        + "' has the name of a training metric; rename it");
            }
        }
        return new RoundRecord(s.round(), s.step(), s.step() * workers * imagesPerStep, metrics,
                r.roundSeconds(), r.computeSeconds(), r.broadcastSeconds(), r.overheadSeconds(), r.overheadShare(),
                (double) workers * localSteps * imagesPerStep * perSecond, (double) localSteps * perSecond,
                evaluationSeconds, Instant.now().toString(), r.devices());
    }
}
