package io.atelier.common.train;

/**
 * How the averaging engine runs a model: {@code workers} (W) data-parallel workers, each taking
 * {@code localSteps} (K) optimizer steps between averagings, for {@code rounds} (R) rounds, and how
 * often it writes sample grids and checkpoints. Checked on construction, so a bad value fails in
 * one line before any data moves. W, K and the seed decide the numbers; the rest only decides
 * what is written.
 *
 * @param workers         data-parallel workers; worker w trains on shards s with s mod W = w
 * @param localSteps      optimizer steps each worker takes per round (the averaging period)
 * @param rounds          the round count to reach (on resume: the total, not the rounds to add)
 * @param seed            the run seed every random stream derives from
 * @param sampleEvery     a sample grid every this many rounds (and after the last round)
 * @param sampleCount     images per sample grid
 * @param checkpointEvery a checkpoint every this many rounds (and after the last round)
 * @param keepCheckpoints the newest checkpoints kept; 0 keeps all
 */
public record EngineConfig(int workers, int localSteps, int rounds, long seed,
                           int sampleEvery, int sampleCount, int checkpointEvery, int keepCheckpoints) {

    public static final int DEFAULT_SAMPLE_EVERY = 10;
    public static final int DEFAULT_SAMPLE_COUNT = 16;
    public static final int DEFAULT_CHECKPOINT_EVERY = 10;
    public static final int DEFAULT_KEEP_CHECKPOINTS = 3;

    public EngineConfig {
        require(workers >= 1 && workers <= 4096, "workers must be between 1 and 4096, got " + workers);
        require(localSteps >= 1, "localSteps must be at least 1, got " + localSteps);
        require(rounds >= 1, "rounds must be at least 1, got " + rounds);
        require(sampleEvery >= 1, "sampleEvery must be at least 1, got " + sampleEvery);
        require(sampleCount >= 1 && sampleCount <= 256, "sampleCount must be between 1 and 256, got " + sampleCount);
        require(checkpointEvery >= 1, "checkpointEvery must be at least 1, got " + checkpointEvery);
        require(keepCheckpoints >= 0, "keepCheckpoints must be 0 (keep all) or more, got " + keepCheckpoints);
    }

    /** W, K, R and the seed, with default sampling and checkpointing. */
    public static EngineConfig of(int workers, int localSteps, int rounds, long seed) {
        return new EngineConfig(workers, localSteps, rounds, seed, DEFAULT_SAMPLE_EVERY, DEFAULT_SAMPLE_COUNT,
                DEFAULT_CHECKPOINT_EVERY, DEFAULT_KEEP_CHECKPOINTS);
    }

    public EngineConfig withRounds(int newRounds) {
        return new EngineConfig(workers, localSteps, newRounds, seed, sampleEvery, sampleCount, checkpointEvery,
                keepCheckpoints);
    }

    public EngineConfig withSamples(int every, int count) {
        return new EngineConfig(workers, localSteps, rounds, seed, every, count, checkpointEvery, keepCheckpoints);
    }

    public EngineConfig withCheckpoints(int every, int keep) {
        return new EngineConfig(workers, localSteps, rounds, seed, sampleEvery, sampleCount, every, keep);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
