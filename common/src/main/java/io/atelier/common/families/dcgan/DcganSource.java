package io.atelier.common.families.dcgan;

import io.atelier.common.families.GeneratorSource;

/** A DCGAN as a generator (a run's checkpoint or an in-memory state): its geometry comes from its config. */
interface DcganSource extends GeneratorSource {
    DcganConfig config();

    @Override
    default int channels() {
        return config().channels();
    }

    @Override
    default int size() {
        return config().imageSize();
    }
}
