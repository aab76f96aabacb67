package io.atelier.common.translate;

import io.atelier.common.families.cyclegan.CycleGanConfig;
import io.atelier.common.families.cyclegan.CycleGanRun;
import io.atelier.common.families.cyclegan.CycleGanTranslator.Direction;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.SerializableConfiguration;
import io.atelier.common.stylize.StyleSpec;
import io.atelier.common.stylize.StylizeJob;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code atelier translate}: a CycleGAN run's generator over a whole catalog, one direction, run
 * by {@link StylizeJob} with the translation as its one style, so it keeps every promise of that
 * stage (re-runs skip what is done, a killed run resumes, bad inputs are quarantined). The output
 * has stylize's layout and row schema, read as:
 * <pre>
 *   style    the direction (a2b or b2a)
 *   method   cyclegan
 *   params   16 hex of SHA-256 over (method, checkpointSha256, direction, size, channels)
 *   image    the translation at the model's size and channels
 * </pre>
 * {@code _params/H.json} and {@code _translate.json} add what the hash stands for: the run
 * directory, checkpoint round, and the domains translated from and to. A new checkpoint of the
 * same run changes the hash, so its translations are new rows beside the old.
 */
public final class TranslateJob {
    public static final String JOB = "translate";
    public static final String METHOD = "cyclegan";

    private final SparkSession spark;

    public TranslateJob(SparkSession spark) {
        this.spark = spark;
    }

    /** Counts as stylize's: {@code in = translated + skipped + quarantined}, one direction per run. */
    public StylizeJob.Summary run(TranslateSettings s, StylizeJob.Progress progress) {
        if (s.model() == null || s.model().isBlank()) {
            throw new InvalidSettingException("{model}: give a CycleGAN run directory (train-gan {model} cyclegan)");
        }
        Direction direction = Direction.of(s.direction() == null ? "" : s.direction().trim());
        StylizeJob.Catalog catalog = new StylizeJob.Catalog(JOB, s.input(), s.out(), s.pngDir(), s.maxPixels(),
                TranslateSettings.MAX_FILE_BYTES, s.imagesPerTask(), s.batch(), null);
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        if (!HadoopFiles.exists(new Path(s.model()), conf)) {
            throw new InvalidSettingException("{model} " + s.model() + ": no such run directory; give a run of"
                    + " train-gan {model} cyclegan");
        }
        CycleGanRun run = CycleGanRun.open(s.model(), conf);
        return new StylizeJob(spark).run(catalog, List.of(spec(run, direction, s.batch(), conf)), progress);
    }

    /** The translation as a style: what decides its pixels is hashed, where it came from is described. */
    static StyleSpec spec(CycleGanRun run, Direction direction) {
        return spec(run, direction, 1, new Configuration());
    }

    /**
     * As {@link #spec(CycleGanRun, Direction)}, the generator sized for {@code batch} images per call,
     * its checkpoint read on executors with {@code conf} (the job's Hadoop settings, e.g. an S3A endpoint).
     */
    static StyleSpec spec(CycleGanRun run, Direction direction, int batch, Configuration conf) {
        CycleGanConfig c = run.config();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("method", METHOD);
        params.put("checkpointSha256", run.checkpointSha256());
        params.put("direction", direction.id());
        params.put("size", c.imageSize());
        params.put("channels", c.channels());
        Map<String, Object> about = new LinkedHashMap<>(run.provenance(direction));
        about.put("from", run.targetDomain(direction.reverse()));
        about.put("to", run.targetDomain(direction));
        about.put("resize", "whole picture stretched to " + c.imageSize() + "x" + c.imageSize()
                + (c.channels() == 1 ? ", grey" : ", RGB"));
        return StyleSpec.custom(direction.id(), METHOD, params, about, c.channels(), new Translation(run, direction, batch,
                new SerializableConfiguration(conf)));
    }

    /** Builds the adapter on an executor: both generators, the checkpoint loaded and verified there. */
    private record Translation(CycleGanRun run, Direction direction, int batch, SerializableConfiguration hadoop)
            implements StyleSpec.Factory {
        @Override
        public CycleGanStylizer build() {
            return new CycleGanStylizer(run.translator(batch, hadoop.get()), direction, run.config().imageSize(), run.config().channels());
        }
    }
}
