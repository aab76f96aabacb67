package io.atelier.common.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link RoundEvaluator} and how often it runs: after every round r with r % every == 0, and
 * after the last round.
 */
public record RoundEvaluation(int every, RoundEvaluator evaluator) {
    public RoundEvaluation {
        if (every < 1) {
            throw new IllegalArgumentException("evaluation every " + every + " rounds: use 1 or more");
        }
        Objects.requireNonNull(evaluator, "evaluator");
    }

    public boolean due(int round, int lastRound) {
        return round % every == 0 || round == lastRound;
    }

    /** The {@code evaluation} section of config.json. */
    public Map<String, Object> settings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("every", every);
        m.putAll(evaluator.settings());
        return m;
    }
}
