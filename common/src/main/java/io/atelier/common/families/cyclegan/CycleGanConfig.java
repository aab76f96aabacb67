package io.atelier.common.families.cyclegan;

import java.io.Serializable;
import java.util.List;

/**
 * Everything that fixes a CycleGAN run: image geometry, network sizes, the two domains (as class
 * indices of one labelled dataset), losses, optimiser and schedule. Immutable and serialisable (it
 * travels to executors inside the trainer) and recorded in the run's config.json.
 *
 * @param imageSize           side of the square images
 * @param channels            1 (grey) or 3 (RGB)
 * @param generatorWidth      channels of the generators' first layer (ngf)
 * @param residualBlocks      residual blocks in each generator
 * @param discriminatorWidth  channels of the discriminators' first layer (ndf)
 * @param discriminatorLayers stride-2 convolutions of the PatchGAN discriminators
 * @param domainA             label names of domain A
 * @param domainB             label names of domain B
 * @param classesA            class indices of domain A (the dataset's order of label names)
 * @param classesB            class indices of domain B
 * @param batchSize           images of each domain per step and worker
 * @param learningRate        Adam step size of all four networks before the decay
 * @param beta1               Adam first-moment decay
 * @param beta2               Adam second-moment decay
 * @param lambdaCycle         weight of the cycle-consistency (L1) losses
 * @param lambdaIdentity      weight of the identity losses, as a multiple of lambdaCycle
 * @param poolSize            generated images each worker keeps per direction for D's updates
 * @param workers             workers of the run (the pools hold one slice per worker)
 * @param rounds              rounds of the run, the end of the learning-rate decay
 * @param decayFrom           the first round whose learning rate decays linearly towards 0 (none when >= rounds)
 */
public record CycleGanConfig(
        int imageSize,
        int channels,
        int generatorWidth,
        int residualBlocks,
        int discriminatorWidth,
        int discriminatorLayers,
        List<String> domainA,
        List<String> domainB,
        List<Integer> classesA,
        List<Integer> classesB,
        int batchSize,
        double learningRate,
        double beta1,
        double beta2,
        double lambdaCycle,
        double lambdaIdentity,
        int poolSize,
        int workers,
        int rounds,
        int decayFrom) implements Serializable {

    public CycleGanConfig {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("CycleGAN needs 1 (grey) or 3 (RGB) channels, got " + channels);
        }
        positive("batchSize", batchSize);
        positive("workers", workers);
        positive("rounds", rounds);
        if (poolSize < 0) {
            throw new IllegalArgumentException("poolSize must be >= 0, got " + poolSize);
        }
        if (!(learningRate > 0 && Double.isFinite(learningRate))) {
            throw new IllegalArgumentException("lr must be finite and > 0, got " + learningRate);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam betas must be in [0, 1), got " + beta1 + " and " + beta2);
        }
        if (!(lambdaCycle >= 0) || !(lambdaIdentity >= 0) || Double.isInfinite(lambdaCycle) || Double.isInfinite(lambdaIdentity)) {
            throw new IllegalArgumentException("lambdaCycle and lambdaIdentity must be finite and >= 0, got "
                    + lambdaCycle + " and " + lambdaIdentity);
        }
        if (decayFrom < 0) {
            throw new IllegalArgumentException("decayFrom must be >= 0, got " + decayFrom);
        }
        if (classesA.isEmpty() || classesB.isEmpty()) {
            throw new IllegalArgumentException("domainA and domainB each need at least one label");
        }
        for (Integer c : classesA) {
            if (classesB.contains(c)) {
                throw new IllegalArgumentException("label " + c + " is in both domains: domainA " + domainA + ", domainB " + domainB);
            }
        }
        domainA = List.copyOf(domainA);
        domainB = List.copyOf(domainB);
        classesA = List.copyOf(classesA);
        classesB = List.copyOf(classesB);
        // Validates the geometry with its own messages.
        new CycleGanArchitecture(imageSize, channels, generatorWidth, residualBlocks, discriminatorWidth, discriminatorLayers);
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        }
    }

    /** The networks' geometry. */
    public CycleGanArchitecture architecture() {
        return new CycleGanArchitecture(imageSize, channels, generatorWidth, residualBlocks, discriminatorWidth,
                discriminatorLayers);
    }

    public int imageFloats() {
        return channels * imageSize * imageSize;
    }

    /**
     * The learning rate's factor in round {@code round} (0-based), as the reference's linear
     * policy with one epoch per round: 1 before {@link #decayFrom}, then
     * 1 - (round + 1 - decayFrom) / (rounds - decayFrom + 1), so the last round still moves. The
     * decay follows {@link #rounds}: a run resumed with more rounds stretches what is left of it.
     */
    public double learningRateFactor(int round) {
        if (round + 1 <= decayFrom) {
            return 1.0;
        }
        return 1.0 - (round + 1 - decayFrom) / (double) (rounds - decayFrom + 1);
    }
}
