package io.atelier.common.train;

import io.atelier.common.data.Manifest;

/** Checks, before any data moves, that a dataset can feed W workers of a training job. */
public final class TrainingInputs {
    private TrainingInputs() {
    }

    /**
     * @param minPerWorker train images each worker needs at least (its batch, or 1)
     */
    public static void requireTrainable(Manifest manifest, String data, int workers, int minPerWorker) {
        long trainImages = manifest.count("train");
        if (trainImages < (long) minPerWorker * workers) {
            throw new IllegalArgumentException("--data " + data + " has " + trainImages + " train images; "
                    + workers + " workers" + (minPerWorker > 1 ? " with --batch " + minPerWorker : "") + " need at least "
                    + (long) minPerWorker * workers);
        }
        if (workers > manifest.shards()) {
            throw new IllegalArgumentException("--workers " + workers + ": the dataset has " + manifest.shards()
                    + " shards and each worker needs at least one; use --workers " + manifest.shards()
                    + " or fewer, or re-ingest with more --shards");
        }
    }
}
