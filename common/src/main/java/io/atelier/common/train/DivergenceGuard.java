package io.atelier.common.train;

/**
 * When the engine rejects a round and when it gives up. A worker's result is rejected when any
 * tensor of its state holds NaN or an infinity, or any of its metrics (the step means it reports,
 * such as losses) is non-finite or larger in magnitude than {@code metricLimit}. A rejected round
 * is not averaged: it is computed again from the same state with the same seed, and after
 * {@code maxAttempts} rejected attempts in a row the run stops with {@link TrainingDivergedException}.
 *
 * <p>Why the same seed: every number of a round is a function of (state, data, seed, round, worker,
 * step), so a different seed for a retry would make the run's result depend on whether a fault
 * happened, and reruns would no longer be bit-identical. With the same seed, a retry repairs a
 * transient fault (a flaky device, a bad executor) and yields exactly the state an undisturbed run
 * has; a real divergence (too high a learning rate, bad data) repeats and stops the run, with the
 * last good checkpoint untouched. Changing the learning rate is the user's call, not the engine's.
 *
 * @param maxAttempts rejected attempts of one round, in a row, after which the run stops (at least 1)
 * @param metricLimit the largest metric magnitude accepted (positive; infinity to check finiteness only)
 */
public record DivergenceGuard(int maxAttempts, double metricLimit) {
    /**
     * One retry; a metric beyond 1e9 counts as exploded. Sound losses stay far below it (the GAN and
     * diffusion losses are O(1)-O(100), a style loss weighted by 1000 about 1e5), and a loss on its
     * way there soon overflows to infinity or NaN, which is caught anyway.
     */
    public static final DivergenceGuard DEFAULT = new DivergenceGuard(2, 1e9);

    public DivergenceGuard {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("divergence maxAttempts must be at least 1, got " + maxAttempts);
        }
        if (!(metricLimit > 0)) {
            throw new IllegalArgumentException("divergence metricLimit must be positive, got " + metricLimit);
        }
    }
}
