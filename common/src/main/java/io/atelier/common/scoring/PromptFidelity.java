package io.atelier.common.scoring;

import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.atelier.common.classify.ClassAccuracy;
import io.atelier.common.classify.ClassifierFeatures;
import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.eval.FeatureSource;
import io.atelier.common.families.Families;
import io.atelier.common.families.GeneratorSource;
import io.atelier.common.families.SamplingOptions;
import io.atelier.common.generate.GenerationJob;
import io.atelier.common.generate.GenerationOptions;
import io.atelier.common.image.ImageGrid;
import io.atelier.common.image.SparkImage;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Json;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import static org.apache.spark.sql.functions.col;

/**
 * Whether a text-to-image model follows its prompts, two ways, for each guidance value asked:
 * <ul>
 *   <li><b>category accuracy</b>: the share of a prompt's samples that a classifier of the real
 *   images assigns to the prompt's category ("pizza" -> Food & Drink);</li>
 *   <li><b>attribute binding</b>: within a group of prompts that differ in one attribute ("red
 *   heart", "blue heart", ...), the share of a prompt's samples whose mean colour
 *   ({@link MeanColour}) is nearest the mean colour of the real images captioned with that prompt,
 *   among the group's prompts. Chance is one over the group's size.</li>
 * </ul>
 * Samples come from generate's code path (DDIM, eta 0, the run's EMA weights), sample i of every
 * prompt from the same noise, and are scored where they are made; nothing is written but the report
 * and, per guidance value, a grid of each prompt's first samples.
 */
public final class PromptFidelity {
    /** The real images behind one attribute prompt: how many, and their mean colour (r, g, b in 0..255). */
    public record Reference(String prompt, long images, float[] rgb) {
    }

    /** A category prompt's samples by predicted class, and the share in its own. */
    public record CategoryScore(String prompt, String category, double share, Map<String, Long> predicted) {
    }

    /** An attribute prompt's samples by nearest reference; blank = samples with no non-white pixel. */
    public record PromptBinding(String prompt, double share, long blank, Map<String, Long> nearest) {
    }

    /** One attribute group: the mean share over its prompts, and chance (1 / prompts). */
    public record GroupBinding(String group, double share, double chance, List<PromptBinding> prompts) {
    }

    /** Everything measured at one guidance value; categoryAccuracy is null when no classifier was given. */
    public record AtGuidance(double guidance, Double categoryAccuracy, List<CategoryScore> categories,
                             List<GroupBinding> binding) {
    }

    /** The report written to {@code out}; {@code grids}: one PNG per guidance value, rows = prompts. */
    public record Report(Map<String, Object> definition, List<Reference> references, List<AtGuidance> results,
                         List<String> grids) {
    }

    private static final int CLASSIFIER_BATCH = 64;
    /** Samples per prompt shown in the grids: the first ones, the same noise in every row. */
    static final int GRID_COLUMNS = 8;

    private final SparkSession spark;

    public PromptFidelity(SparkSession spark) {
        this.spark = spark;
    }

    /** @param log one line per prompt sampled, and what is skipped and why */
    public Report run(PromptFidelitySettings s, Consumer<String> log) {
        s.requireGiven();
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        if (HadoopFiles.exists(new Path(s.out()), conf)) {
            throw new InvalidSettingException("{out} " + s.out() + " already exists; choose a new file or delete it");
        }
        PromptList prompts = readPrompts(s.prompts(), conf);
        List<Double> guidance = s.guidanceValues();
        GeneratorSource probe = open(s, conf, guidance.get(0), prompts.all().get(0));
        ClassifierFeatures classifier = classifier(s, prompts, probe, log);
        Map<String, Reference> references = references(s, prompts, probe);

        GenerationJob job = new GenerationJob(spark);
        List<AtGuidance> results = new ArrayList<>();
        List<String> all = prompts.all();
        java.util.Set<String> attributePrompts = prompts.attributePrompts();
        List<String> grids = new ArrayList<>();
        for (double g : guidance) {
            Map<String, long[]> predicted = new LinkedHashMap<>();
            Map<String, List<float[]>> colours = new LinkedHashMap<>();
            List<List<BufferedImage>> gridRows = new ArrayList<>();
            for (int i = 0; i < all.size(); i++) {
                String prompt = all.get(i);
                log.accept(String.format(java.util.Locale.ROOT, "guidance %s: prompt %d of %d '%s' (%d samples)",
                        trim(g), i + 1, all.size(), prompt, s.count()));
                Dataset<Row> rows = job.rows(open(s, conf, g, prompt), GenerationOptions.of(s.count(), s.out(), s.seed())
                        .withPartitions(spark.sparkContext().defaultParallelism()))
                        .select(DatasetSchema.IMAGE).persist(StorageLevel.MEMORY_AND_DISK());
                try {
                    gridRows.add(rows.javaRDD().take(GRID_COLUMNS).stream()
                            .map(r -> SparkImage.fromRow(r.getStruct(0)).toRgb()).toList());
                    if (classifier != null && prompts.categories().containsKey(prompt)) {
                        predicted.put(prompt, ClassAccuracy.predictions(rows, classifier, CLASSIFIER_BATCH));
                    }
                    if (attributePrompts.contains(prompt)) {
                        colours.put(prompt, meanColours(rows));
                    }
                } finally {
                    rows.unpersist();
                }
            }
            results.add(score(g, prompts, classifier == null ? null : classifier.classNames(), predicted, colours, references));
            Path grid = gridPath(s.out(), g);
            HadoopFiles.writeAtomically(grid, ImageGrid.toPng(ImageGrid.compose(gridRows, all, 2)), conf);
            grids.add(grid.toString());
        }
        Map<String, Object> definition = definition(s, probe, classifier, prompts);
        Report report = new Report(definition, new ArrayList<>(references.values()), results, grids);
        HadoopFiles.writeAtomically(new Path(s.out()), Json.pretty(report).getBytes(StandardCharsets.UTF_8), conf);
        return report;
    }

    /**
     * The scores of one guidance value from the samples' predicted classes (counts per class, in the
     * order of {@code classNames}; null names: categories not scored) and mean colours.
     */
    static AtGuidance score(double guidance, PromptList prompts, List<String> classNames,
                            Map<String, long[]> predicted, Map<String, List<float[]>> colours,
                            Map<String, Reference> references) {
        List<CategoryScore> categories = new ArrayList<>();
        Double accuracy = null;
        if (classNames != null) {
            List<String> names = classNames;
            double sum = 0;
            for (Map.Entry<String, String> e : prompts.categories().entrySet()) {
                long[] counts = predicted.get(e.getKey());
                long total = 0;
                Map<String, Long> byClass = new LinkedHashMap<>();
                for (int c = 0; c < counts.length; c++) {
                    total += counts[c];
                    if (counts[c] > 0) {
                        byClass.put(names.get(c), counts[c]);
                    }
                }
                double share = (double) counts[names.indexOf(e.getValue())] / total;
                categories.add(new CategoryScore(e.getKey(), e.getValue(), share, byClass));
                sum += share;
            }
            accuracy = categories.isEmpty() ? null : sum / categories.size();
        }
        List<GroupBinding> binding = new ArrayList<>();
        for (Map.Entry<String, List<String>> group : prompts.attributes().entrySet()) {
            List<String> members = group.getValue();
            List<float[]> refs = members.stream().map(p -> references.get(p).rgb()).toList();
            List<PromptBinding> scores = new ArrayList<>();
            double sum = 0;
            for (int asked = 0; asked < members.size(); asked++) {
                long[] nearest = new long[members.size()];
                long blank = 0;
                List<float[]> samples = colours.get(members.get(asked));
                for (float[] colour : samples) {
                    int n = MeanColour.nearest(colour, refs);
                    if (n < 0) {
                        blank++;
                    } else {
                        nearest[n]++;
                    }
                }
                Map<String, Long> byPrompt = new LinkedHashMap<>();
                for (int m = 0; m < members.size(); m++) {
                    if (nearest[m] > 0) {
                        byPrompt.put(members.get(m), nearest[m]);
                    }
                }
                double share = (double) nearest[asked] / samples.size();
                scores.add(new PromptBinding(members.get(asked), share, blank, byPrompt));
                sum += share;
            }
            binding.add(new GroupBinding(group.getKey(), sum / members.size(), 1.0 / members.size(), scores));
        }
        return new AtGuidance(guidance, accuracy, categories, binding);
    }

    /** Each sample's mean colour ({@link MeanColour}), computed where the samples are. */
    private static List<float[]> meanColours(Dataset<Row> images) {
        return images.javaRDD().map(r -> MeanColour.of(SparkImage.fromRow(r.getStruct(0)))).collect();
    }

    /** REPORT.json -> REPORT-guidance-G.png beside it. */
    static Path gridPath(String out, double guidance) {
        String base = out.endsWith(".json") ? out.substring(0, out.length() - ".json".length()) : out;
        return new Path(base + "-guidance-" + trim(guidance) + ".png");
    }

    private static PromptList readPrompts(String path, Configuration conf) {
        byte[] bytes;
        try {
            bytes = HadoopFiles.readAll(new Path(path), conf, 1 << 20);
        } catch (IOException | RuntimeException e) {
            throw new InvalidSettingException("{prompts} " + path + ": cannot read it (" + e.getMessage() + ")", e);
        }
        try {
            return Json.MAPPER.readValue(bytes, PromptList.class);
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof InvalidSettingException invalid) {
                throw new InvalidSettingException(invalid.getMessage().replace("{prompts}", "{prompts} " + path), invalid);
            }
            throw new InvalidSettingException("{prompts} " + path + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidSettingException("{prompts} " + path + " is not a prompts file ({\"categories\": {...}, "
                    + "\"attributes\": {...}}): " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    private static GeneratorSource open(PromptFidelitySettings s, Configuration conf, double guidance, String prompt) {
        return Families.openRun(s.model(), conf, new SamplingOptions("ddim", s.steps(), 0.0, guidance, prompt));
    }

    private ClassifierFeatures classifier(PromptFidelitySettings s, PromptList prompts, GeneratorSource run,
                                          Consumer<String> log) {
        if (prompts.categories().isEmpty()) {
            return null;
        }
        if (s.classifier() == null || s.classifier().isBlank()) {
            log.accept("categories not scored: no {classifier} given");
            return null;
        }
        FeatureSource source = FeatureChoice.load(spark, "{classifier}", s.classifier());
        if (!(source instanceof ClassifierFeatures classifier)) {
            throw new InvalidSettingException("{classifier} " + s.classifier() + " is a feature network, not a "
                    + "classifier file from `atelier train-classifier`");
        }
        if (!classifier.accepts(run.size(), run.size(), run.channels())) {
            throw new InvalidSettingException("{classifier} " + s.classifier() + " takes " + classifier.accepted()
                    + " images; the model makes " + run.size() + "x" + run.size() + "x" + run.channels());
        }
        Set<String> unknown = new HashSet<>(prompts.categories().values());
        unknown.removeAll(classifier.classNames());
        if (!unknown.isEmpty()) {
            throw new InvalidSettingException("{prompts}: categories " + unknown + " are not classes of {classifier} "
                    + s.classifier() + " (it knows " + classifier.classNames() + ")");
        }
        return classifier;
    }

    /** Each attribute prompt's real images (captions with the same words) and their mean colour. */
    private Map<String, Reference> references(PromptFidelitySettings s, PromptList prompts, GeneratorSource run) {
        Set<String> wanted = prompts.attributePrompts();
        Map<String, Reference> out = new LinkedHashMap<>();
        if (wanted.isEmpty()) {
            return out;
        }
        if (run.channels() != 3) {
            throw new InvalidSettingException("{prompts}: attribute groups compare colours, and model " + s.model()
                    + " makes images with " + run.channels() + " channel(s); leave \"attributes\" out");
        }
        if (s.real() == null || s.real().isBlank()) {
            throw new InvalidSettingException("{real}: give the captioned dataset whose images define the attribute "
                    + "prompts' colours");
        }
        ImageDataset real = ImageDataset.open(spark, s.real());
        Dataset<Row> rows = real.rowsWithCaptions(spark);
        if (real.manifest().captioned() == 0) {
            throw new InvalidSettingException("{real} " + s.real() + " has no captions; give the captioned dataset "
                    + "the model was trained on");
        }
        Map<String, String> byKey = new LinkedHashMap<>();
        wanted.forEach(p -> byKey.put(PromptList.key(p), p));
        Set<String> keys = new HashSet<>(byKey.keySet());
        List<Tuple2<String, float[]>> found = rows.where(col(DatasetSchema.CAPTION).isNotNull())
                .select(DatasetSchema.CAPTION, DatasetSchema.IMAGE).javaRDD()
                .filter(r -> keys.contains(PromptList.key(r.getString(0))))
                .map(r -> new Tuple2<>(PromptList.key(r.getString(0)), MeanColour.of(SparkImage.fromRow(r.getStruct(1)))))
                .collect();
        for (String prompt : wanted) {
            String key = PromptList.key(prompt);
            double[] sum = new double[3];
            long n = 0;
            for (Tuple2<String, float[]> f : found) {
                if (f._1().equals(key) && f._2() != null) {
                    for (int c = 0; c < 3; c++) {
                        sum[c] += f._2()[c];
                    }
                    n++;
                }
            }
            if (n == 0) {
                throw new InvalidSettingException("{prompts}: no image of {real} " + s.real() + " is captioned '" + prompt
                        + "' (the same words) with a non-white pixel, so the prompt has no reference colour; use "
                        + "captions of the dataset");
            }
            out.put(prompt, new Reference(prompt, n, new float[]{(float) (sum[0] / n), (float) (sum[1] / n),
                    (float) (sum[2] / n)}));
        }
        return out;
    }

    private static Map<String, Object> definition(PromptFidelitySettings s, GeneratorSource run,
                                                  ClassifierFeatures classifier, PromptList prompts) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("model", run.provenance());
        d.put("prompts", prompts);
        d.put("samplesPerPrompt", s.count());
        d.put("seed", s.seed());
        d.put("sampler", "ddim, " + s.steps() + " steps, eta 0");
        d.put("categoryAccuracy", "mean over the category prompts of the share of samples the classifier assigns "
                + "to the prompt's category");
        d.put("binding", "per attribute group, mean over its prompts of the share of samples whose mean colour over "
                + "pixels not all >= " + MeanColour.WHITE + " of 255 is nearest (Euclidean RGB) the asked prompt's "
                + "real images' among the group's prompts; blank samples count as misses; chance = 1 / prompts");
        if (classifier != null) {
            d.put("classifier", classifier.provenance());
        }
        if (s.real() != null) {
            d.put("real", s.real());
        }
        return d;
    }

    private static String trim(double g) {
        return g == Math.rint(g) ? String.valueOf((long) g) : String.valueOf(g);
    }
}
