package io.atelier.common.eval;

import io.atelier.common.Versions;
import io.atelier.common.compute.DeviceLog;
import io.atelier.common.data.DatasetLayout;
import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.InvalidSettingException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * Scores a fake dataset against a real one, and two disjoint real samples against each other
 * (the floor), with one feature network and one sample size for all three samples.
 */
public final class Evaluation {
    private final SparkSession spark;

    public Evaluation(SparkSession spark) {
        this.spark = spark;
    }

    public EvaluationReport run(FeatureSource features, EvaluationOptions o) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        ImageDataset real = ImageDataset.open(spark, o.real());
        ImageDataset fake = ImageDataset.open(spark, o.fake());
        String floorSplit = DatasetSchema.TEST.equals(o.split()) ? DatasetSchema.TRAIN : DatasetSchema.TEST;
        requireFits("{real}", real.manifest(), features);
        requireFits("{fake}", fake.manifest(), features);
        Manifest r = real.manifest();
        Manifest f = fake.manifest();
        if (r.height() != f.height() || r.width() != f.width() || r.channels() != f.channels()) {
            throw new InvalidSettingException("{real} holds " + r.height() + "x" + r.width() + "x" + r.channels()
                    + " images, {fake} " + f.height() + "x" + f.width() + "x" + f.channels()
                    + "; compare images of one shape (re-ingest one side with the other's {size} and {channels})");
        }
        long n = sampleSize(real.manifest(), fake.manifest(), o, floorSplit);

        DeviceLog devices = DeviceLog.register(spark.sparkContext(), "evaluate.devices");
        FeatureSummary realSummary = summarise(real, o.split(), n, o.seed(), features, o, devices);
        FeatureSummary fakeSummary = summarise(fake, o.fakeSplit(), n, o.seed(), features, o, devices);
        FeatureSummary floorSummary = summarise(real, floorSplit, n, o.seed(), features, o, devices);
        Scores scores = Scores.between(realSummary, fakeSummary, o, o.seed());
        Scores floor = Scores.between(realSummary, floorSummary, o, o.seed());

        Map<String, Object> d = new LinkedHashMap<>();
        d.put("features", features.provenance());
        d.put("image", features.preprocessing(r.height(), r.width(), r.channels()));
        d.put("countPerSide", n);
        d.put("countRequested", o.count());
        d.put("real", side(real, o.split(), conf));
        d.put("fake", side(fake, o.fakeSplit(), conf));
        d.put("floorReference", side(real, floorSplit, conf));
        d.put("sampling", "rows with the n smallest xxhash64(seed, id)");
        d.put("seed", o.seed());
        d.put("kid", Map.of("kernel", "(x.y/d + 1)^3", "estimator", "unbiased MMD^2", "subsets", o.kidSubsets(),
                "subsetSize", Math.min(o.kidSubsetSize(), scores.reservoirCount() / 2), "seed", o.seed()));
        d.put("precisionRecall", Map.of("k", o.k(), "method", "k-NN manifolds (Kynkaanniemi et al. 2019)"));
        d.put("reservoirCapacity", o.reservoir());
        d.put("fid", "exact mean and covariance (n - 1) over all sampled images, float64");
        d.put("devices", List.copyOf(devices.value()));
        d.put("versions", Versions.all());
        d.put("createdAt", Instant.now().toString());
        return new EvaluationReport(scores, floor, floor.fid() > 0 ? scores.fid() / floor.fid() : Double.NaN, d, null);
    }

    private FeatureSummary summarise(ImageDataset dataset, String split, long n, long seed, FeatureSource features,
                                     EvaluationOptions o, DeviceLog devices) {
        Dataset<Row> rows = dataset.rows(spark);
        if (split != null) {
            rows = rows.where(col(DatasetSchema.SPLIT).equalTo(split));
        }
        return FeatureSummaryJob.summarise(EvalSample.of(rows, n, seed), features, o.batch(), o.reservoir(), devices);
    }

    /** The smallest of the requested count and what each of the three samples can supply. */
    static long sampleSize(Manifest real, Manifest fake, EvaluationOptions o, String floorSplit) {
        long realRows = real.count(o.split());
        long floorRows = real.count(floorSplit);
        long fakeRows = o.fakeSplit() == null ? fake.counts().rows() : fake.count(o.fakeSplit());
        long n = Math.min(o.count(), Math.min(realRows, Math.min(floorRows, fakeRows)));
        if (n < Math.max(2, o.k() + 1)) {
            throw new IllegalArgumentException("too few images to compare: real " + o.split() + " has " + realRows
                    + ", real " + floorSplit + " (the floor) has " + floorRows + ", fake"
                    + (o.fakeSplit() == null ? "" : " " + o.fakeSplit()) + " has " + fakeRows + "; need at least "
                    + Math.max(2, o.k() + 1) + " in each");
        }
        return n;
    }

    private static void requireFits(String option, Manifest m, FeatureSource f) {
        if (!f.accepts(m.height(), m.width(), m.channels())) {
            throw new InvalidSettingException(option + " holds " + m.height() + "x" + m.width() + "x" + m.channels()
                    + " images; the feature network takes " + f.accepted() + " (re-ingest with {size} " + f.size()
                    + ", or choose another {features})");
        }
    }

    private static Map<String, Object> side(ImageDataset dataset, String split, Configuration conf) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", dataset.path());
        m.put("split", split == null ? "all" : split);
        m.put("manifestSha256", sha256(HadoopFiles.readAll(new Path(dataset.path(), DatasetLayout.MANIFEST), conf)));
        return m;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
