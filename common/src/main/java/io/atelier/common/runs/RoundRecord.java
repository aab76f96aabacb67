package io.atelier.common.runs;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

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
}
