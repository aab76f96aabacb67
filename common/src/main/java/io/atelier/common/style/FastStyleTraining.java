package io.atelier.common.style;

import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;
import io.atelier.common.embed.ExtractorSpec;
import io.atelier.common.image.ImageGrid;
import io.atelier.common.image.SparkImage;
import io.atelier.common.io.HadoopFiles;
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
     * Everything train-style takes. Loss weights and layers null/empty: the feature network's
     * Gatys defaults ({@link GatysOptions#defaults}).
     */
    public record Settings(String style, String data, String out, String extractor, String modelDir,
                           TransformerNet.Config net, int crop, int batch, int styleSize, Double contentWeight,
                           Double styleWeight, Double tvWeight, double learningRate, EngineConfig engine,
                           boolean resume) {
    }

    public static TrainingResult run(SparkSession spark, Settings s, ProgressListener progress) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        if (!HadoopFiles.exists(new Path(s.style()), conf)) {
            throw new IllegalArgumentException("--style " + s.style() + ": no such file");
        }
        ImageDataset dataset = ImageDataset.open(spark, s.data());
        Manifest m = dataset.manifest();
        if (m.channels() != 3) {
            throw new IllegalArgumentException("--data " + s.data() + " holds " + m.channels() + "-channel images; style"
                    + " training needs colour photos (ingest with --channels 3)");
        }
        if (m.height() < s.crop() || m.width() < s.crop()) {
            throw new IllegalArgumentException("--crop " + s.crop() + " is larger than the dataset's " + m.width() + "x"
                    + m.height() + " images; use a smaller --crop or ingest at a larger --size");
        }
        byte[] styleBytes = HadoopFiles.readAll(new Path(s.style()), conf);
        ExtractorSpec features = ExtractorSpec.resolve(s.extractor(), s.modelDir(), null, conf);
        GatysOptions losses = GatysOptions.defaults(features.name());
        FastStyleTrainer.Settings ts = new FastStyleTrainer.Settings(s.net(), losses.contentLayer(),
                new LinkedHashMap<>(losses.styleLayers()),
                s.contentWeight() != null ? s.contentWeight() : losses.contentWeight(),
                s.styleWeight() != null ? s.styleWeight() : losses.styleWeight(),
                s.tvWeight() != null ? s.tvWeight() : losses.tvWeight(), s.crop(), s.batch(), s.learningRate(),
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
