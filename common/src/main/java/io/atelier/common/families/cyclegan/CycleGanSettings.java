package io.atelier.common.families.cyclegan;

import io.atelier.common.data.Manifest;
import io.atelier.common.families.TrainingSettings;
import io.atelier.common.io.Setting;

import java.util.ArrayList;
import java.util.List;

/**
 * Every setting of a CycleGAN training job, with its default and help, in one place: the command
 * line's flags are generated from it, a JSON config file fills the same record, and the resolved
 * record is written into the run. The two domains are label sets of one labelled dataset.
 */
public record CycleGanSettings(
        @Setting(value = "Dataset directory (its train split is used).", label = "DATASET") String data,
        @Setting(value = "Run directory to create (or continue with resume).", label = "RUN") String out,
        @Setting(value = "Model family.", label = "NAME") String model,
        @Setting(value = "Label names of domain A (comma-separated).", label = "LABELS") List<String> domainA,
        @Setting(value = "Label names of domain B (comma-separated).", label = "LABELS") List<String> domainB,
        @Setting(value = "Workers W, one Spark task each.", label = "W") int workers,
        @Setting(value = "Optimizer steps per worker between averagings K.", label = "K") int localSteps,
        @Setting(value = "Rounds to reach R (on resume: the total).", label = "R") int rounds,
        @Setting(value = "Images of each domain per step and worker.", label = "B") int batch,
        @Setting(value = "Run seed: the same settings and seed give the same parameters.", label = "S") long seed,
        @Setting("Continue from the latest complete checkpoint.") boolean resume,
        @Setting(value = "Checkpoint every N rounds and after the last.", label = "N") int checkpointEvery,
        @Setting(value = "Newest checkpoints kept, 0 = all.", label = "N") int keepCheckpoints,
        @Setting(value = "Sample grid every N rounds and after the last.", label = "N") int sampleEvery,
        @Setting(value = "Test images of each domain in a sample grid (each shown real, translated, translated back).",
                label = "N") int sampleCount,
        @Setting(value = "Adam learning rate of all four networks.", label = "LR") double lr,
        @Setting(value = "Adam beta1.", label = "B1") double beta1,
        @Setting(value = "Weight of the cycle-consistency losses.", label = "L") double lambdaCycle,
        @Setting(value = "Weight of the identity losses, times --lambda-cycle; 0 turns them off.", label = "L")
        double lambdaIdentity,
        @Setting(value = "Generated images each worker keeps per direction for the discriminators; 0 = none.", label = "N")
        int poolSize,
        @Setting(value = "First round whose learning rate decays linearly towards 0; -1 = half of --rounds.", label = "R")
        int decayFrom,
        @Setting(value = "Channels of the generators' first layer.", label = "N") int generatorWidth,
        @Setting(value = "Residual blocks per generator; 0 = 6 up to 128 px, 9 above.", label = "N") int residualBlocks,
        @Setting(value = "Channels of the discriminators' first layer.", label = "N") int discriminatorWidth,
        @Setting(value = "Stride-2 layers of the PatchGAN discriminators; 0 = 3 from 64 px, 2 below.", label = "N")
        int discriminatorLayers) implements TrainingSettings {

    public static final String MODEL = "cyclegan";

    /**
     * The reference's losses and optimiser (lr 2e-4, beta1 0.5, cycle 10, identity 0.5, pool 50,
     * linear decay over the second half); networks narrower than its 64 channels (32) so a run
     * fits two cores, and a batch of 4 instead of 1 so each op does more work per call.
     */
    public static final CycleGanSettings DEFAULTS = new CycleGanSettings(null, null, MODEL, List.of(), List.of(), 2, 10, 20,
            4, 42L, false, 5, 3, 5, 6, 2e-4, 0.5, 10, 0.5, 50, -1, 32, 0, 32, 0);

    public CycleGanSettings {
        if (!MODEL.equals(model)) {
            throw new IllegalArgumentException("--model " + model + ": this record holds cyclegan settings");
        }
        domainA = domainA == null ? List.of() : List.copyOf(domainA);
        domainB = domainB == null ? List.of() : List.copyOf(domainB);
    }

    /** The model config for a dataset: geometry from its manifest, domains resolved to its class indices. */
    public CycleGanConfig cyclegan(Manifest manifest) {
        if (manifest.height() != manifest.width()) {
            throw new IllegalArgumentException("--data " + data + " holds " + manifest.height() + "x" + manifest.width()
                    + " images; CycleGAN needs square images (re-ingest with --size)");
        }
        List<String> labels = manifest.labelNames();
        if (labels == null || labels.isEmpty()) {
            throw new IllegalArgumentException("--data " + data + " has no labels; --domain-a and --domain-b name labels of"
                    + " one labelled dataset");
        }
        int size = manifest.height();
        int decay = decayFrom < 0 ? rounds / 2 : decayFrom;
        return new CycleGanConfig(size, manifest.channels(), generatorWidth,
                residualBlocks > 0 ? residualBlocks : CycleGanArchitecture.defaultResidualBlocks(size), discriminatorWidth,
                discriminatorLayers > 0 ? discriminatorLayers : CycleGanArchitecture.defaultDiscriminatorLayers(size),
                domainA, domainB, classes("--domain-a", domainA, labels), classes("--domain-b", domainB, labels), batch, lr,
                beta1, 0.999, lambdaCycle, lambdaIdentity, poolSize, workers, rounds, decay);
    }

    private static List<Integer> classes(String flag, List<String> names, List<String> labels) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException(flag + ": name the labels of this domain; the dataset's labels are: "
                    + String.join(", ", labels));
        }
        List<Integer> out = new ArrayList<>();
        for (String name : names) {
            int i = labels.indexOf(name.trim());
            if (i < 0) {
                throw new IllegalArgumentException(flag + " '" + name + "' is not a label of the dataset; its labels are: "
                        + String.join(", ", labels));
            }
            out.add(i);
        }
        return out;
    }
}
