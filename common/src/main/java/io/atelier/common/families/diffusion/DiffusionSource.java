package io.atelier.common.families.diffusion;

import io.atelier.common.families.GeneratorSource;

/** A diffusion model as a generator (a run's checkpoint or an in-memory state): its geometry comes from its config. */
interface DiffusionSource extends GeneratorSource {
    DiffusionConfig config();

    @Override
    default int channels() {
        return config().channels();
    }

    @Override
    default int size() {
        return config().imageSize();
    }
}
