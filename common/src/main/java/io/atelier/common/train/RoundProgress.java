package io.atelier.common.train;

import java.time.Duration;
import java.util.Map;

/**
 * What a finished round reports to a {@link ProgressListener}.
 *
 * @param eta        time to the last round at the pace of the recent rounds
 * @param checkpoint the checkpoint written after this round, or null
 * @param sample     the sample grid written after this round, or null
 * @param evaluationSeconds time spent on the round's evaluation (0 when none ran)
 */
public record RoundProgress(int round, int rounds, long step, Map<String, Double> metrics, double imagesPerSecond,
                            double roundSeconds, double overheadShare, Duration eta, String checkpoint, String sample,
                            double evaluationSeconds) {

    /** One line for a console: {@code round 5/100  loss 0.6931  412 img/s  2.1 s/round  ETA 3m20s}. */
    public String describe() {
        StringBuilder s = new StringBuilder("round ").append(round).append('/').append(rounds);
        metrics.forEach((k, v) -> s.append("  ").append(k).append(' ').append(String.format("%.4g", v)));
        if (imagesPerSecond > 0) {
            s.append(String.format("  %.0f img/s", imagesPerSecond));
        }
        s.append(String.format("  %.2f s/round", roundSeconds));
        if (evaluationSeconds > 0) {
            s.append(String.format("  evaluated in %.1f s", evaluationSeconds));
        }
        s.append("  ETA ").append(eta.toString().substring(2).toLowerCase());
        if (checkpoint != null) {
            s.append("  [checkpoint]");
        }
        return s.toString();
    }
}
