package io.atelier.jobs;

import io.atelier.common.data.Manifest;
import io.atelier.common.families.Families;
import io.atelier.common.families.GeneratorSource;
import io.atelier.common.families.SamplingOptions;
import io.atelier.common.generate.GenerationJob;
import io.atelier.common.generate.GenerationOptions;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code atelier generate}: a dataset sampled from a trained model, as a Spark job. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate a dataset from a trained run. Sample i's noise derives from (seed, i) only,",
                "so the output is identical whatever the partitioning and on re-run."})
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "RUN", description = "Run directory of train-gan or train-diffusion.")
    String model;
    @Option(names = "--count", required = true, paramLabel = "N", description = "Images to generate.")
    long count;
    @Option(names = "--out", required = true, paramLabel = "DATASET", description = "Dataset directory to write.")
    String out;
    @Option(names = "--png-dir", paramLabel = "DIR", description = "Also write PNG files, one folder per label.")
    String pngDir;
    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--label", paramLabel = "L|all", description = "Class for a conditional model, or 'all' to spread the count over classes.")
    String label;
    @Option(names = "--partitions", paramLabel = "P", description = "Spark tasks (default: one per 256 images, at most 64).")
    Integer partitions;
    @Option(names = "--sampler", paramLabel = "ddpm|ddim", description = "Diffusion sampler (default: ddim).")
    String sampler;
    @Option(names = "--steps", paramLabel = "S", description = "DDIM steps, evenly spaced over T (default: 50).")
    Integer steps;
    @Option(names = "--eta", paramLabel = "E", description = "DDIM noise: 0 deterministic, 1 the posterior variance (default: 0).")
    Double eta;
    @Option(names = "--guidance", paramLabel = "G", description = "Classifier-free guidance: eps_u + G (eps_c - eps_u) (default: 2).")
    Double guidance;
    @Option(names = "--prompt", paramLabel = "TEXT", description = "Condition every sample on these words (a conditional diffusion run).")
    String prompt;
    @Option(names = "--shards", defaultValue = "8", paramLabel = "N", description = "Shards of the output (default: ${DEFAULT-VALUE}).")
    int shards;

    @Mixin
    SparkOptions spark;

    @Override
    public Integer call() {
        SparkSession session = SparkSessions.create("generate", spark.master);
        if (prompt != null && label != null) {
            throw new IllegalArgumentException("--prompt and --label: give one of them");
        }
        GeneratorSource run = Families.openRun(model, session.sparkContext().hadoopConfiguration(),
                new SamplingOptions(sampler, steps, eta, guidance, prompt));
        boolean all = "all".equalsIgnoreCase(label);
        Integer fixed = label == null || all ? null : parseLabel(label);
        GenerationOptions defaults = GenerationOptions.of(count, out, seed);
        GenerationOptions options = new GenerationOptions(count, out, pngDir, seed, fixed, all,
                partitions != null ? partitions : defaults.partitions(), shards, defaults.batch());
        Manifest m;
        GenerationJob job = new GenerationJob(session);
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("generate").setInitialMax(count)
                .setStyle(ProgressBarStyle.ASCII).setUnit(" img", 1).showSpeed().setMaxRenderedLength(100).build()) {
            m = job.run(run, options, (done, total) -> bar.stepTo(done));
        }
        System.out.printf("generated %d images (%dx%d, %d channel%s) from %s into %s; devices: %s%n",
                m.counts().rows(), m.height(), m.width(), m.channels(), m.channels() == 1 ? "" : "s", run.name(), out,
                String.join("; ", job.devices()));
        if (pngDir != null) {
            System.out.println("PNG files: " + pngDir);
        }
        return 0;
    }

    private static int parseLabel(String label) {
        try {
            return Integer.parseInt(label.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--label " + label + ": give a class number or 'all'");
        }
    }
}
