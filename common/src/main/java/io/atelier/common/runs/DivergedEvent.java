package io.atelier.common.runs;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A line of {@code metrics.jsonl} that is not a round: one worker's result of one attempt at a
 * round was rejected, so the round was not averaged. Readers of round records skip these lines
 * ({@link MetricsLog#read}); {@link MetricsLog#events} returns them.
 *
 * @param event   always {@link #DIVERGED}
 * @param round   the round attempted (1-based)
 * @param attempt the attempt at that round, from 1
 * @param action  {@link #RETRY} (the round is computed again from the same state) or {@link #STOP}
 * @param worker  the worker whose result was rejected
 * @param step    that worker's step counter after its K steps
 * @param tensor  the first tensor holding a non-finite value, or null when a metric was the reason
 * @param index   the first bad element of {@code tensor}; -1 for a metric
 * @param metric  the metric that was non-finite or beyond the limit, or null
 * @param value   the bad value as text ({@code NaN}, {@code Infinity}, {@code 2.5E7})
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"event", "round", "attempt", "action", "worker", "step", "tensor", "index", "metric", "value", "time"})
public record DivergedEvent(String event, int round, int attempt, String action, int worker, long step,
                            String tensor, long index, String metric, String value, String time) {
    public static final String DIVERGED = "diverged";
    public static final String RETRY = "retry";
    public static final String STOP = "stop";
}
