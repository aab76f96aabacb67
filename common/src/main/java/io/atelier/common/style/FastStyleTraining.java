package io.atelier.common.style;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;
import io.atelier.common.embed.ExtractorSpec;
import io.atelier.common.image.ImageGrid;
import io.atelier.common.image.SparkImage;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.Setting;
import io.atelier.common.io.Sha256;
import io.atelier.common.train.AveragingEngine;
import io.atelier.common.train.EngineConfig;
import io.atelier.common.train.ProgressListener;
import io.atelier.common.train.RunSpec;
import io.atelier.common.train.TrainingResult;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * The train-style job: a fast style network for one style image, trained on a dataset's train
 * split by the averaging engine, then exported as {@code RUN/model/} ({@link FastStyleModel}),
 * which {@code atelier stylize --method fast --model RUN} reads.
 */
public final class FastStyleTraining {
    /** Sample grids stylize this many of the dataset's first images. */
    private static final int PREVIEWS = 4;

    private FastStyleTraining() {
    }

    /**
     * Everything train-style takes, with its help: the command's flags are generated from these
     * components and {@link #DEFAULTS}. Loss weights null: the feature network's Gatys defaults
     * ({@link GatysOptions#defaults}).
     */
    public record Settings(
            @Setting(value = "The style image; its file name names the style.", label = "IMAGE") String style,
            @Setting(value = "A dataset of colour photos (its train split).", label = "DATASET") String data,
            @Setting(value = "Run directory to create (or continue with {resume}).", label = "RUN") String out,
            @Setting(value = "Feature network of the losses: mobilenet_v2, inception_v3, random.", label = "NAME")
            String extractor,
            @Setting(value = "TF.js directory of the feature network (default: the shipped one).", label = "DIR")
            String modelDir,
            @Setting(value = "Channels of the first convolution.", label = "C") int channels,
            @Setting(value = "Residual blocks.", label = "R") int residualBlocks,
            @Setting(value = "Random square crops of this side.", label = "N") int crop,
            @Setting(value = "Crops per step and worker.", label = "B") int batch,
            @Setting(value = "Style image's longer side for its Gram matrices.", label = "N") int styleSize,
            @Setting(value = "Content loss weight (default: the feature network's Gatys default).", label = "W")
            Double contentWeight,
            @Setting(value = "Style loss weight (default: the feature network's Gatys default).", label = "W")
            Double styleWeight,
            @Setting(value = "Total variation weight (default: the feature network's Gatys default).", label = "W")
            Double tvWeight,
            @Setting(value = "Adam learning rate.", label = "LR") double lr,
            @Setting(value = "Workers, one Spark task each.", label = "W") int workers,
            @Setting(value = "Steps per worker between averagings.", label = "K") int localSteps,
            @Setting(value = "Rounds to reach.", label = "R") int rounds,
            @Setting(value = "Run seed.", label = "S") long seed,
            @Setting(value = "Checkpoint every N rounds and after the last.", label = "N") int checkpointEvery,
            @Setting(value = "Sample grid every N rounds and after the last.", label = "N") int sampleEvery,
            @Setting("Continue from the latest complete checkpoint.") boolean resume) {
        public static final Settings DEFAULTS = new Settings(null, null, null, "mobilenet_v2", null, 16, 3, 128, 4, 256,
                null, null, null, 2e-3, 1, 10, 30, 42L, 10, 10, false);

        /** Checks what has no default: the style image, the photos and the run directory. */
        public void requirePaths() {
            for (String[] given : new String[][]{{"{style}", style, "the style image"}, {"{data}", data, "the dataset of photos"},
                    {"{out}", out, "the run directory"}}) {
                if (given[1] == null || given[1].isBlank()) {
                    throw new InvalidSettingException(given[0] + ": give " + given[2]);
                }
            }
        }

        public TransformerNet.Config net() {
            return new TransformerNet.Config(channels, residualBlocks);
        }

        /** W, K, R, the seed, a grid of the previews and checkpoints as asked. */
        public EngineConfig engine() {
            return new EngineConfig(workers, localSteps, rounds, seed, sampleEvery, PREVIEWS, checkpointEvery,
                    EngineConfig.DEFAULT_KEEP_CHECKPOINTS);
        }
    }

    public static TrainingResult run(SparkSession spark, Settings s, ProgressListener progress) {
        s.requirePaths();
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        if (!HadoopFiles.exists(new Path(s.style()), conf)) {
            throw new InvalidSettingException("{style} " + s.style() + ": no such file");
        }
        ImageDataset dataset = ImageDataset.open(spark, s.data());
        Manifest m = dataset.manifest();
        if (m.channels() != 3) {
            throw new InvalidSettingException("{data} " + s.data() + " holds " + m.channels() + "-channel images; style"
                    + " training needs colour photos (ingest with {channels} 3)");
        }
        if (m.height() < s.crop() || m.width() < s.crop()) {
            throw new InvalidSettingException("{crop} " + s.crop() + " is larger than the dataset's " + m.width() + "x"
                    + m.height() + " images; use a smaller {crop} or ingest at a larger {size}");
        }
        byte[] styleBytes = HadoopFiles.readAll(new Path(s.style()), conf);
        ExtractorSpec features = ExtractorSpec.resolve(s.extractor(), s.modelDir(), null, conf);
        GatysOptions losses = GatysOptions.defaults(features.name());
        FastStyleTrainer.Settings ts = new FastStyleTrainer.Settings(s.net(), losses.contentLayer(),
                new LinkedHashMap<>(losses.styleLayers()),
                s.contentWeight() != null ? s.contentWeight() : losses.contentWeight(),
                s.styleWeight() != null ? s.styleWeight() : losses.styleWeight(),
                s.tvWeight() != null ? s.tvWeight() : losses.tvWeight(), s.crop(), s.batch(), s.lr(),
                s.styleSize());
        FastStyleTrainer trainer = new FastStyleTrainer(ts, features, styleBytes, previews(spark, dataset),
                new int[]{m.height(), m.width()});
        String styleName = new Path(s.style()).getName().replaceFirst("\\.[^.]*$", "");
        Map<String, Object> resolved = new LinkedHashMap<>();
        resolved.put("command", "train-style");
        resolved.put("style", s.style());
        resolved.put("styleName", styleName);
        resolved.put("styleSha256", Sha256.of(styleBytes));
        resolved.put("data", s.data());
        resolved.put("extractor", features.name());
        resolved.put("extractorSource", features.source());
        resolved.put("training", ts);
        resolved.put("engine", s.engine());
        RunSpec spec = new RunSpec(trainer, s.data(), s.out(), s.engine(), resolved);
        AveragingEngine engine = new AveragingEngine(spark);
        TrainingResult result = s.resume() ? engine.resume(spec, progress) : engine.train(spec, progress);

        Map<String, Object> trainedWith = new LinkedHashMap<>(resolved);
        trainedWith.put("run", s.out());
        trainedWith.put("round", result.state().round());
        trainedWith.put("step", result.state().step());
        new FastStyleModel(styleName, Sha256.of(styleBytes), s.net(), FastStyleTrainer.params(result.state(), s.net()),
                trainedWith).save(new Path(s.out(), "model").toString(), conf);
        return result;
    }

    /** The first few train images, by id, as PNG: the same previews on every run over this dataset. */
    private static List<byte[]> previews(SparkSession spark, ImageDataset dataset) {
        List<byte[]> out = new ArrayList<>();
        for (Row r : dataset.rows(spark).where(col(DatasetSchema.SPLIT).equalTo(DatasetSchema.TRAIN))
                .orderBy(DatasetSchema.ID).select(DatasetSchema.IMAGE).limit(PREVIEWS).collectAsList()) {
            out.add(ImageGrid.toPng(SparkImage.fromRow(r.getStruct(0)).toRgb()));
        }
        return out;
    }
}
