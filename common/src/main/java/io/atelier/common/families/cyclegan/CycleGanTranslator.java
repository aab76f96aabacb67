package io.atelier.common.families.cyclegan;

import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.nn.HostArrays;
import io.atelier.common.nn.Params;
import io.atelier.common.runs.TrainingState;

/**
 * Both generators of a CycleGAN state, for translating images outside training (sample grids,
 * the translate job): NHWC RGB images in [-1, 1] in, NHWC images out, in chunks of up to
 * {@code maxRows}. Instance normalisation uses each image's own statistics, so an image's
 * translation does not depend on the others in its chunk. Not thread-safe.
 */
public final class CycleGanTranslator {
    /** Which generator: G maps domain A to B, F maps B to A. */
    public enum Direction {
        A_TO_B("a2b"), B_TO_A("b2a");

        private final String id;

        Direction(String id) {
            this.id = id;
        }

        /** The name users give ({@code a2b}, {@code b2a}). */
        public String id() {
            return id;
        }

        public Direction reverse() {
            return this == A_TO_B ? B_TO_A : A_TO_B;
        }

        public static Direction of(String id) {
            for (Direction d : values()) {
                if (d.id.equals(id)) {
                    return d;
                }
            }
            throw new InvalidSettingException("{direction} " + id + ": use a2b or b2a");
        }
    }

    private final CycleGanConfig config;
    private final int maxRows;
    private final Params gParams;
    private final Params fParams;
    private final ResnetGenerator g;
    private final ResnetGenerator f;
    private boolean loaded;

    public CycleGanTranslator(CycleGanConfig config, int maxRows) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be >= 1, got " + maxRows);
        }
        this.config = config;
        this.maxRows = maxRows;
        CycleGanArchitecture arch = config.architecture();
        this.gParams = new Params(arch.generatorParams());
        this.fParams = new Params(arch.generatorParams());
        this.g = new ResnetGenerator(arch, gParams, maxRows);
        this.f = new ResnetGenerator(arch, fParams, maxRows);
    }

    /** Copies both generators' weights out of {@code state}. */
    public void load(TrainingState state) {
        CycleGanTrainer.checkState(config, state);
        load(state.get(CycleGanTrainer.G_PARAMS), state.get(CycleGanTrainer.F_PARAMS));
    }

    /** Copies both generators' weights (G: A to B, F: B to A) as the training state holds them. */
    public void load(float[] gWeights, float[] fWeights) {
        long expected = config.architecture().generatorParams().size();
        if (gWeights.length != expected || fWeights.length != expected) {
            throw new IllegalArgumentException("generator weights of " + gWeights.length + " and " + fWeights.length
                    + " floats do not fit this model's " + expected);
        }
        gParams.load(gWeights);
        fParams.load(fWeights);
        loaded = true;
    }

    /** The translations of whole NHWC images, in order. */
    public float[] translate(float[] images, Direction direction) {
        if (!loaded) {
            throw new IllegalStateException("load a training state first");
        }
        int size = config.imageFloats();
        if (images.length % size != 0) {
            throw new IllegalArgumentException(images.length + " floats are not whole " + config.channels() + "x"
                    + config.imageSize() + "x" + config.imageSize() + " images");
        }
        ResnetGenerator net = direction == Direction.A_TO_B ? g : f;
        float[] out = new float[images.length];
        int count = images.length / size;
        for (int from = 0; from < count; from += maxRows) {
            int n = Math.min(maxRows, count - from);
            HostArrays.load(net.input().rows(n).reshape((long) n * size), images, from * size);
            HostArrays.store(net.forward(n).rows(n).reshape((long) n * size), out, from * size);
        }
        return out;
    }

    /** For each image: itself, its translation and the translation back, one after the other. */
    public float[] triplets(float[] images, Direction direction) {
        float[] there = translate(images, direction);
        float[] back = translate(there, direction.reverse());
        int size = config.imageFloats();
        int count = images.length / size;
        float[] out = new float[3 * images.length];
        for (int i = 0; i < count; i++) {
            System.arraycopy(images, i * size, out, 3 * i * size, size);
            System.arraycopy(there, i * size, out, (3 * i + 1) * size, size);
            System.arraycopy(back, i * size, out, (3 * i + 2) * size, size);
        }
        return out;
    }
}
