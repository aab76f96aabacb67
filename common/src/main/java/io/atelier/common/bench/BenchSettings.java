package io.atelier.common.bench;

import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Setting;

import java.util.List;

/**
 * What each {@code atelier bench} subcommand takes, one record per benchmark with its help and
 * defaults written once: the command line's flags and help are generated from these, and a JSON
 * config file fills the same records, as for every other command.
 */
public final class BenchSettings {
    private BenchSettings() {
    }

    /** A benchmark that runs the native kernels on a chosen number of threads. */
    public interface Threaded {
        /** Native compute threads; null: all cores. */
        Integer threads();

        default int threadCount() {
            return threads() != null ? threads() : Runtime.getRuntime().availableProcessors();
        }
    }

    public record Ingest(
            @Setting(value = "JPEGs to generate.", label = "N") int images,
            @Setting(value = "Atelier's stored size.", label = "PX") int size,
            @Setting(value = "Timed runs of each.", label = "N") int repeats) {
        public static final Ingest DEFAULTS = new Ingest(2000, 64, 3);
    }

    public record GanStep(
            @Setting(value = "Batch size.", label = "B") int batch,
            @Setting(value = "Timed steps (per backend and round with {compare}).", label = "N") int steps,
            @Setting(value = "Untimed steps first.", label = "N") int warmup,
            @Setting(value = "Native compute threads (default: all cores).", label = "T") Integer threads,
            @Setting(value = "atelier or libtorch.", label = "NAME") String backend,
            @Setting("Run atelier and libtorch alternately in one process and print one table.") boolean compare,
            @Setting(value = "Alternating rounds with {compare}.", label = "N") int rounds,
            @Setting("Print only the JSON line(s) (the last has ms_per_step).") boolean json) implements Threaded {
        public static final GanStep DEFAULTS = new GanStep(64, 20, 30, null, "atelier", false, 3, false);
    }

    public record DiffusionStep(
            @Setting(value = "Batch size.", label = "B") int batch,
            @Setting(value = "Timed steps.", label = "N") int steps,
            @Setting(value = "Untimed steps first.", label = "N") int warmup,
            @Setting(value = "Native compute threads (default: all cores).", label = "T") Integer threads,
            @Setting("With a 10-class condition (as train-diffusion's conditional setting trains).") boolean conditional,
            @Setting("The captioned 32x32 RGB configuration instead: the default U-Net with the transformer text"
                    + " encoder (2 blocks) over synthetic captions shaped like the emoji sample's.") boolean captioned,
            @Setting("Print only the JSON line.") boolean json) implements Threaded {
        public static final DiffusionStep DEFAULTS = new DiffusionStep(64, 10, 5, null, false, false, false);
    }

    public record CycleGanStep(
            @Setting(value = "Image side: 28, 32 or 64.", label = "PX") int size,
            @Setting(value = "1 (grey) or 3 (RGB).", label = "C") int channels,
            @Setting(value = "Images of each domain per step (default: the family's, 4).", label = "B") Integer batch,
            @Setting(value = "Timed steps.", label = "N") int steps,
            @Setting(value = "Untimed steps first.", label = "N") int warmup,
            @Setting(value = "Native compute threads (default: all cores).", label = "T") Integer threads,
            @Setting("Print only the JSON line.") boolean json) implements Threaded {
        public static final CycleGanStep DEFAULTS = new CycleGanStep(32, 3, null, 10, 3, null, false);

        public CycleGanStep {
            if (size != 28 && size != 32 && size != 64) {
                throw new InvalidSettingException("{size} " + size + ": use 28, 32 or 64");
            }
        }
    }

    public record StyleGanStep(
            @Setting(value = "Image side: 32 or 64.", label = "PX") int size,
            @Setting(value = "1 (grey) or 3 (RGB).", label = "C") int channels,
            @Setting(value = "Images per step.", label = "B") int batch,
            @Setting(value = "Timed steps.", label = "N") int steps,
            @Setting(value = "Untimed steps first.", label = "N") int warmup,
            @Setting(value = "Native compute threads (default: all cores).", label = "T") Integer threads,
            @Setting("Print only the JSON line.") boolean json) implements Threaded {
        public static final StyleGanStep DEFAULTS = new StyleGanStep(32, 1, 32, 5, 1, null, false);

        public StyleGanStep {
            if (size != 32 && size != 64) {
                throw new InvalidSettingException("{size} " + size + ": use 32 or 64");
            }
        }
    }

    public record Sample(
            @Setting(value = "Images to sample.", label = "N") int images,
            @Setting(value = "DDIM steps.", label = "S") int steps,
            @Setting(value = "Guidance; 0 or 1 need one pass per step.", label = "G") double guidance,
            @Setting(value = "Native compute threads (default: all cores).", label = "T") Integer threads,
            @Setting("Print only the JSON line.") boolean json) implements Threaded {
        public static final Sample DEFAULTS = new Sample(64, 50, 2, null, false);
    }

    public record Scaling(
            @Setting(value = "Dataset to train on (default: the vendored Fashion-MNIST, ingested to a temp dir).",
                    label = "DATASET") String data,
            @Setting(value = "Measured rounds per (W, K).", label = "N") int rounds,
            @Setting(value = "Steps per process for the hardware baseline.", label = "N") int hardwareSteps) {
        public static final Scaling DEFAULTS = new Scaling(null, 3, 20);
    }

    public record Evaluate(
            @Setting(value = "Images to summarise.", label = "DATASET") String data,
            @Setting(value = "Feature network (train-classifier output).", label = "MODEL") String features,
            @Setting(value = "Images per run.", label = "N") int images,
            @Setting(value = "Timed runs of each.", label = "N") int repeats) {
        public static final Evaluate DEFAULTS = new Evaluate(null, null, 4000, 3);

        /** Checks what has no default. */
        public void requireGiven() {
            if (data == null || data.isBlank()) {
                throw new InvalidSettingException("{data}: give the dataset to summarise");
            }
            if (features == null || features.isBlank()) {
                throw new InvalidSettingException("{features}: give a feature network (train-classifier output)");
            }
        }
    }

    public record Stylize(
            @Setting(value = "Fast style model.", label = "DIR") String model,
            @Setting(value = "Style image for Gatys.", label = "FILE") String style,
            @Setting(value = "Images timed per size.", label = "N") int fastImages,
            @Setting(value = "Gatys iterations timed, scaled to 100; 0 skips Gatys.", label = "N") int gatysIterations,
            @Setting(value = "Catalog sizes for the memory runs.", label = "N,N") List<String> catalogs,
            @Setting(value = "{size} of the stylize runs that measure memory.", label = "PX") int catalogSize) {
        public static final Stylize DEFAULTS = new Stylize("data/models/style-starry_night",
                "data/images/style/starry_night.jpg", 20, 10, List.of("1000", "10000"), 64);

        /** The catalog sizes as numbers. */
        public List<Integer> catalogSizes() {
            return numbers("catalogs", catalogs).stream().map(Long::intValue).toList();
        }
    }

    public record GenerateLoad(
            @Setting(value = "Run directory to sample from.", label = "RUN") String model,
            @Setting(value = "Images per run, in order.", label = "N,N") List<String> counts,
            @Setting(value = "Sampling seed.", label = "S") long seed) {
        public static final GenerateLoad DEFAULTS = new GenerateLoad(null, List.of("10000", "100000", "1000000"), 1);

        /** Checks what has no default. */
        public void requireGiven() {
            if (model == null || model.isBlank()) {
                throw new InvalidSettingException("{model}: give a trained run directory (e.g. train-gan with 1 round)");
            }
        }

        public List<Long> countList() {
            return numbers("counts", counts).stream().map(Long::valueOf).toList();
        }
    }

    public record IngestLoad(
            @Setting(value = "Distinct photos per folder, in order.", label = "N,N") List<String> counts,
            @Setting(value = "Photo width; height is 3/4 of it.", label = "PX") int width,
            @Setting(value = "Ingest's stored size.", label = "PX") int size) {
        public static final IngestLoad DEFAULTS = new IngestLoad(List.of("10000", "100000"), 64, 32);

        public List<Integer> countList() {
            return numbers("counts", counts).stream().map(Long::intValue).toList();
        }
    }

    public record StylizeRerun(
            @Setting(value = "Catalog sizes.", label = "N,N") List<String> catalogs,
            @Setting(value = "Synthetic JPEGs' width; height 3/4 of it.", label = "PX") int width,
            @Setting(value = "Side the stylize runs resize to.", label = "PX") int size) {
        public static final StylizeRerun DEFAULTS = new StylizeRerun(List.of("10000", "100000"), 32, 16);

        public List<Integer> catalogSizes() {
            return numbers("catalogs", catalogs).stream().map(Long::intValue).toList();
        }
    }

    /** A list setting of whole numbers, or one line naming it. */
    static List<Long> numbers(String setting, List<String> values) {
        try {
            return values.stream().map(String::strip).map(Long::valueOf).toList();
        } catch (NumberFormatException e) {
            throw new InvalidSettingException("{" + setting + "} " + String.join(",", values)
                    + ": give whole numbers separated by commas, e.g. 1000,10000");
        }
    }
}
