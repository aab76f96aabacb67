package io.atelier.common.project;

import io.atelier.common.embed.ExecutorNetworks;
import io.atelier.common.embed.ExtractorSpec;
import io.atelier.common.families.Families;
import io.atelier.common.families.stylegan.StyleGanConfig;
import io.atelier.common.families.stylegan.StyleGanFamily;
import io.atelier.common.families.stylegan.StyleGanProjector;
import io.atelier.common.families.stylegan.StyleGanRun;
import io.atelier.common.families.stylegan.StyleGanSampling;
import io.atelier.common.features.FeatureNetwork;
import io.atelier.common.features.KerasFeatureNetwork;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.SerializableConfiguration;
import io.atelier.common.runs.TrainedRun;
import io.atelier.common.stylize.StyleSpec;
import io.atelier.common.stylize.StylizeJob;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code atelier project}: StyleGAN inversion of a whole catalog, run by {@link StylizeJob} with
 * the projection as its one style, so it keeps every promise of that stage (network built once
 * per executor, re-runs skip what is done, a killed run resumes, bad inputs are quarantined).
 * Rows: stylize's columns, read as
 * <pre>
 *   style    the latent space (w or w+)
 *   method   stylegan-projection
 *   params   16 hex of SHA-256 over (checkpoint, space, steps, seed, loss weights, feature network)
 *   image    the reconstruction at the model's size and channels
 * </pre>
 * then {@link #EXTRA}: latent (array of float: latentDim values for w, numWs x latentDim row-major
 * for w+), space, l1 and mse (pixel errors in [0, 1] units), featureDistance (null without the
 * feature loss), mseAtStart (the error at the mean w, before any step), steps, modelSha256 (the
 * checkpoint's) and resizedFrom ("WxH" of an input of another size, else null).
 */
public final class ProjectJob {
    public static final String JOB = "project";
    public static final String METHOD = "stylegan-projection";

    public static final StructType EXTRA = new StructType()
            .add("latent", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("space", DataTypes.StringType, false)
            .add("l1", DataTypes.DoubleType, false)
            .add("mse", DataTypes.DoubleType, false)
            .add("featureDistance", DataTypes.DoubleType, true)
            .add("mseAtStart", DataTypes.DoubleType, false)
            .add("steps", DataTypes.IntegerType, false)
            .add("modelSha256", DataTypes.StringType, false)
            .add("resizedFrom", DataTypes.StringType, true);

    private final SparkSession spark;

    public ProjectJob(SparkSession spark) {
        this.spark = spark;
    }

    /** Counts as stylize's: {@code in = projected + skipped + quarantined}. */
    public StylizeJob.Summary run(ProjectSettings s, StylizeJob.Progress progress) {
        if (s.model() == null || s.model().isBlank()) {
            throw new InvalidSettingException("{model}: give a StyleGAN run directory (train-gan {model} stylegan)");
        }
        StyleGanProjector.Space space = StyleGanProjector.Space.of(s.space() == null ? "" : s.space());
        StylizeJob.Catalog catalog = new StylizeJob.Catalog(JOB, s.input(), s.out(), s.pngDir(), s.maxPixels(),
                ProjectSettings.MAX_FILE_BYTES, s.imagesPerTask(), s.batch(), EXTRA);
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        if (!HadoopFiles.exists(new Path(s.model()), conf)) {
            throw new InvalidSettingException("{model} " + s.model() + ": no such run directory; give a run of"
                    + " train-gan {model} stylegan");
        }
        TrainedRun run = TrainedRun.open(s.model(), conf);
        String family = Families.familyOf(run.config());
        if (!StyleGanFamily.ID.equals(family)) {
            throw new InvalidSettingException("{model} " + s.model() + " is a " + (family.isEmpty() ? "non-StyleGAN"
                    : family) + " run; project needs a run of train-gan {model} stylegan");
        }
        StyleGanConfig config = StyleGanRun.of(run, StyleGanSampling.DEFAULT).config();
        StyleGanProjector.Options options = new StyleGanProjector.Options(s.steps(), space, s.noiseWeight(),
                s.featureWeight(), s.seed());
        ExtractorSpec extractor = null;
        String layer = null;
        if (s.featureWeight() > 0) {
            extractor = ExtractorSpec.resolve(s.extractor(), s.modelDir(), null, conf);
            layer = s.featureLayer() != null ? s.featureLayer() : defaultLayer(extractor.name());
        }
        Projection projection = new Projection(run.runDir(), run.round(), run.checkpointSha256(), config, options,
                extractor, layer, s.batch(), new SerializableConfiguration(conf));
        projection.features(); // network and layer checked on the driver, in one line, before any task
        return new StylizeJob(spark).run(catalog, List.of(spec(projection)), progress);
    }

    static String defaultLayer(String extractor) {
        return switch (extractor) {
            case "mobilenet_v2" -> "block_1_expand_relu";
            case "random" -> "conv2";
            default -> throw new InvalidSettingException("{extractor} " + extractor + ": give {featureLayer} too"
                    + " (no default layer for it)");
        };
    }

    /** The projection as a style: what decides its output is hashed, where it came from is described. */
    static StyleSpec spec(Projection p) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("method", METHOD);
        params.put("checkpointSha256", p.checkpointSha256());
        params.put("space", p.options().space().id());
        params.put("steps", p.options().steps());
        params.put("seed", p.options().seed());
        params.put("noiseWeight", p.options().noiseWeight());
        params.put("featureWeight", p.options().featureWeight());
        if (p.extractor() != null) {
            params.put("extractor", p.extractor().name());
            params.put("extractorSource", p.extractor().source());
            params.put("featureLayer", p.layer());
        }
        params.put("size", p.config().imageSize());
        params.put("channels", p.config().channels());
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("run", p.runDir());
        about.put("checkpointRound", p.round());
        about.put("generator", "EMA generator; noise maps optimised per image");
        about.put("resize", "whole picture stretched to " + p.config().imageSize() + "x" + p.config().imageSize()
                + (p.config().channels() == 1 ? ", grey" : ", RGB"));
        return StyleSpec.custom(p.options().space().id(), METHOD, params, about, p.config().channels(), p);
    }

    /** Builds the projector on an executor: the checkpoint loaded and verified there, the feature network cached. */
    record Projection(String runDir, int round, String checkpointSha256, StyleGanConfig config,
                      StyleGanProjector.Options options, ExtractorSpec extractor, String layer, int batch,
                      SerializableConfiguration hadoop)
            implements StyleSpec.Factory {
        FeatureDistance features() {
            if (extractor == null) {
                return null;
            }
            FeatureNetwork net = ExecutorNetworks.get(extractor);
            if (!(net instanceof KerasFeatureNetwork keras)) {
                throw new InvalidSettingException("{extractor} " + extractor.name() + " cannot be differentiated");
            }
            if (!keras.layerNames().contains(layer)) {
                throw new InvalidSettingException("{featureLayer} " + layer + ": " + extractor.name()
                        + " has no such layer; e.g. " + String.join(", ", keras.layerNames().subList(0,
                        Math.min(6, keras.layerNames().size()))));
            }
            return new FeatureDistance(keras, layer, config.imageSize());
        }

        @Override
        public ProjectionStylizer build() {
            // The job's Hadoop settings (e.g. an S3A endpoint given only to Spark), not a new Configuration.
            StyleGanProjector projector = new StyleGanProjector(config, TrainedRun.loadState(runDir, round, hadoop.get()),
                    batch, features());
            return new ProjectionStylizer(projector, options, config.imageSize(), config.channels(), checkpointSha256);
        }
    }
}
