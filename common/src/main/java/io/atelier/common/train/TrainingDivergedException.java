package io.atelier.common.train;

/**
 * A run stopped because a round diverged on every attempt the {@link DivergenceGuard} allows.
 * Its message is one line: the worker, round and tensor or metric, the last good checkpoint, and
 * what to change.
 */
public final class TrainingDivergedException extends RuntimeException {
    private final transient Divergence divergence;

    public TrainingDivergedException(String message, Divergence divergence) {
        super(message);
        this.divergence = divergence;
    }

    public Divergence divergence() {
        return divergence;
    }
}
