package io.atelier.common.train;

/** Told after every round (a CLI prints it); called on the driver thread, between rounds. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = p -> {
    };

    void onRound(RoundProgress progress);
}
