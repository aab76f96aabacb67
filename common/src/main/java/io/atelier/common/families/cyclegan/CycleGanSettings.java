package io.atelier.common.families.cyclegan;

import io.atelier.common.data.Manifest;
import io.atelier.common.families.TrainingSettings;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Setting;

import org.apache.hadoop.fs.Path;

import java.util.ArrayList;
import java.util.List;

/**
 * Every setting of a CycleGAN training job, with its default and help, in one place: the command
 * line's flags are generated from it, a JSON config file fills the same record, and the resolved
 * record is written into the run. The two domains are label sets of one labelled dataset
 * ({@code data}, {@code domainA}, {@code domainB}) or two datasets ({@code dataA}, {@code dataB}).
 */
public record CycleGanSettings(
        @Setting(value = "Dataset directory (its train split is used).", label = "DATASET") String data,
        @Setting(value = "Run directory to create (or continue with resume).", label = "RUN") String out,
        @Setting(value = "Model family.", label = "NAME") String model,
        @Setting(value = "Label names of domain A (comma-separated).", label = "LABELS") List<String> domainA,
        @Setting(value = "Label names of domain B (comma-separated).", label = "LABELS") List<String> domainB,
        @Setting(value = "Dataset of domain A, instead of {data} and {domainA} (with {dataB}).", label = "DATASET")
        String dataA,
        @Setting(value = "Dataset of domain B, instead of {data} and {domainB} (with {dataA}).", label = "DATASET")
        String dataB,
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
        @Setting(value = "Weight of the identity losses, times {lambdaCycle}; 0 turns them off.", label = "L")
        double lambdaIdentity,
        @Setting(value = "Generated images each worker keeps per direction for the discriminators; 0 = none.", label = "N")
        int poolSize,
        @Setting(value = "First round whose learning rate decays linearly towards 0; -1 = half of {rounds}.", label = "R")
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
    public static final CycleGanSettings DEFAULTS = new CycleGanSettings(null, null, MODEL, List.of(), List.of(), null, null,
            2, 10, 20, 4, 42L, false, 5, 3, 5, 6, 2e-4, 0.5, 10, 0.5, 50, -1, 32, 0, 32, 0);

    public CycleGanSettings {
        if (!MODEL.equals(model)) {
            throw new InvalidSettingException("{model} " + model + ": this record holds cyclegan settings");
        }
        domainA = domainA == null ? List.of() : List.copyOf(domainA);
        domainB = domainB == null ? List.of() : List.copyOf(domainB);
    }

    /** Whether the domains are two datasets ({@code --data-a}, {@code --data-b}) rather than labels of one. */
    public boolean twoDatasets() {
        return dataA != null || dataB != null;
    }

    /** The datasets the engine loads: {@code data}, or {@code dataA} then {@code dataB} (labels 0 and 1). */
    @Override
    public List<String> inputs() {
        return twoDatasets() ? List.of(dataA, dataB) : List.of(data);
    }

    /** One dataset split by labels, or two datasets; not a mix, and each of the two given. */
    @Override
    public void requirePaths() {
        if (!twoDatasets()) {
            TrainingSettings.super.requirePaths();
            return;
        }
        if (data != null) {
            throw new InvalidSettingException("{data} with {dataA}/{dataB}: give one dataset split by {domainA} and"
                    + " {domainB}, or two datasets with {dataA} and {dataB}, not both");
        }
        if (!domainA.isEmpty() || !domainB.isEmpty()) {
            throw new InvalidSettingException("{domainA}/{domainB} name labels of one {data}; with {dataA} and {dataB}"
                    + " each dataset is a whole domain: leave {domainA} and {domainB} off");
        }
        if (dataA == null || dataA.isBlank()) {
            throw new InvalidSettingException("{dataA}: give the dataset of domain A ({dataB} is given)");
        }
        if (dataB == null || dataB.isBlank()) {
            throw new InvalidSettingException("{dataB}: give the dataset of domain B ({dataA} is given)");
        }
        if (new Path(dataA).equals(new Path(dataB))) {
            throw new InvalidSettingException("{dataA} and {dataB} are both " + dataA + ": give two datasets, or one"
                    + " dataset with {data} and its labels with {domainA} and {domainB}");
        }
        if (out() == null || out().isBlank()) {
            throw new InvalidSettingException("{out}: give the run directory");
        }
    }

    /**
     * The model config for two datasets of one geometry (the first's manifest): domain A is label 0
     * (rows of {@code dataA}), domain B label 1, each named by its dataset's directory name.
     */
    public CycleGanConfig cycleganOfTwo(Manifest manifestA) {
        return config(manifestA, "{dataA} " + dataA, List.of(new Path(dataA).getName()), List.of(new Path(dataB).getName()),
                List.of(0), List.of(1));
    }

    /** The model config for a dataset: geometry from its manifest, domains resolved to its class indices. */
    public CycleGanConfig cyclegan(Manifest manifest) {
        List<String> labels = manifest.labelNames();
        if (labels == null || labels.isEmpty()) {
            throw new InvalidSettingException("{data} " + data + " has no labels; {domainA} and {domainB} name labels of"
                    + " one labelled dataset");
        }
        return config(manifest, "{data} " + data, domainA, domainB, classes("{domainA}", domainA, labels),
                classes("{domainB}", domainB, labels));
    }

    private CycleGanConfig config(Manifest manifest, String source, List<String> namesA, List<String> namesB,
                                  List<Integer> classesA, List<Integer> classesB) {
        if (manifest.height() != manifest.width()) {
            throw new InvalidSettingException(source + " holds " + manifest.height() + "x" + manifest.width()
                    + " images; CycleGAN needs square images (re-ingest with {size})");
        }
        int size = manifest.height();
        int decay = decayFrom < 0 ? rounds / 2 : decayFrom;
        return new CycleGanConfig(size, manifest.channels(), generatorWidth,
                residualBlocks > 0 ? residualBlocks : CycleGanArchitecture.defaultResidualBlocks(size), discriminatorWidth,
                discriminatorLayers > 0 ? discriminatorLayers : CycleGanArchitecture.defaultDiscriminatorLayers(size),
                namesA, namesB, classesA, classesB, batch, lr,
                beta1, 0.999, lambdaCycle, lambdaIdentity, poolSize, workers, rounds, decay);
    }

    private static List<Integer> classes(String setting, List<String> names, List<String> labels) {
        if (names.isEmpty()) {
            throw new InvalidSettingException(setting + ": name the labels of this domain; the dataset's labels are: "
                    + String.join(", ", labels));
        }
        List<Integer> out = new ArrayList<>();
        for (String name : names) {
            int i = labels.indexOf(name.trim());
            if (i < 0) {
                throw new InvalidSettingException(setting + " '" + name + "' is not a label of the dataset; its labels are: "
                        + String.join(", ", labels));
            }
            out.add(i);
        }
        return out;
    }
}
