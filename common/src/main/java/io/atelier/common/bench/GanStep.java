package io.atelier.common.bench;

import java.util.Optional;
import java.util.ServiceLoader;

/**
 * One backend's reference DCGAN train step, set up once and run repeatedly: G forward on fresh z,
 * one D update on a real and a (detached) fake batch, one G update through the updated D with
 * the non-saturating loss, both with Adam. {@link GanStepBenchmark} times it; other backends
 * (built only on request, such as the libtorch one) plug in through {@link Provider}.
 */
public interface GanStep extends AutoCloseable {
    /** Short backend name for tables. */
    String backend();

    /** Runs step {@code index} (0-based); returns {D loss, G loss} of that step. */
    double[] step(long index);

    /** Native compute threads this backend runs with. */
    int threads();

    /** Releases native buffers and restores any process-wide setting it changed. */
    @Override
    void close();

    /** A backend found with {@link ServiceLoader}. */
    interface Provider {
        /** The name {@code --backend} selects it by. */
        String name();

        /** A ready step at this batch size on {@code threads} native threads. */
        GanStep open(int batch, int threads);
    }

    /** The provider of {@code name} on the classpath, if any ({@code atelier} is always there). */
    static Optional<Provider> provider(String name) {
        if (AtelierGanStep.NAME.equals(name)) {
            return Optional.of(new AtelierGanStep.Provider());
        }
        for (Provider p : ServiceLoader.load(Provider.class)) {
            if (p.name().equals(name)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
