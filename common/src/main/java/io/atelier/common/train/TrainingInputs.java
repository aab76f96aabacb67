package io.atelier.common.train;

import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;

import io.atelier.common.io.InvalidSettingException;
import java.util.List;

/** Checks, before any data moves, that a dataset can feed W workers of a training job. */
public final class TrainingInputs {
    private TrainingInputs() {
    }

    /**
     * @param minPerWorker train images each worker needs at least (its batch, or 1)
     */
    public static void requireTrainable(Manifest manifest, String data, int workers, int minPerWorker) {
        requireTrainable(manifest, "{data}", data, workers, minPerWorker);
    }

    /** The same for a dataset given by another setting ({@code {dataA}}, ...), named in the error. */
    public static void requireTrainable(Manifest manifest, String setting, String data, int workers, int minPerWorker) {
        long trainImages = manifest.count("train");
        if (trainImages < (long) minPerWorker * workers) {
            throw new InvalidSettingException(setting + " " + data + " has " + trainImages + " train images; "
                    + workers + " workers" + (minPerWorker > 1 ? " with {batch} " + minPerWorker : "") + " need at least "
                    + (long) minPerWorker * workers);
        }
        if (workers > manifest.shards()) {
            throw new InvalidSettingException("{workers} " + workers + ": the dataset has " + manifest.shards()
                    + " shards and each worker needs at least one; use {workers} " + manifest.shards()
                    + " or fewer, or re-ingest with more {shards}");
        }
    }

    /**
     * Inputs trained together are decoded into one array per worker, so their images must all
     * have the first input's size and channels.
     */
    public static void requireSameGeometry(List<ImageDataset> inputs) {
        Manifest first = inputs.get(0).manifest();
        for (ImageDataset other : inputs.subList(1, inputs.size())) {
            Manifest m = other.manifest();
            if (m.height() != first.height() || m.width() != first.width() || m.channels() != first.channels()) {
                throw new InvalidSettingException("dataset " + other.path() + " holds " + geometry(m) + " images, dataset "
                        + inputs.get(0).path() + " " + geometry(first) + ": datasets trained together need one size and"
                        + " channel count; re-ingest " + other.path() + " with {size} " + first.height() + " {channels} "
                        + first.channels());
            }
        }
    }

    private static String geometry(Manifest m) {
        return m.height() + "x" + m.width() + "x" + m.channels();
    }
}
