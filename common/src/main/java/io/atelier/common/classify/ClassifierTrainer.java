package io.atelier.common.classify;

import io.atelier.common.Versions;
import io.atelier.common.data.DatasetLayout;
import io.atelier.common.data.DatasetSchema;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;
import io.atelier.common.image.PixelAdapter;
import io.atelier.common.image.SparkImage;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.InvalidSettingException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * Trains the classifier on a dataset's train split with dl4j-spark's parameter averaging
 * ({@link SparkDl4jMultiLayer} + {@link ParameterAveragingTrainingMaster}), scores it on the
 * test split (its own, or another dataset's: see {@link ClassifierData}), and saves it with its
 * provenance.
 */
public final class ClassifierTrainer {
    private final SparkSession spark;

    public ClassifierTrainer(SparkSession spark) {
        this.spark = spark;
    }

    /** Called after each epoch with its training time and the test-split accuracy reached. */
    public interface Progress {
        void epoch(int done, int total, double seconds, double testAccuracy);

        Progress NONE = (d, t, s, a) -> { };
    }

    /** @param trainedOn the rows trained on, in words */
    public record Result(String path, String sha256, double testAccuracy, long trainCount, long testCount,
                         double seconds, String trainedOn) {
    }

    public Result train(ClassifierOptions o, Progress progress) {
        return train(o, progress, null);
    }

    /**
     * @param command the command line that asked for this model ({@code train-classifier} and its
     *                arguments, exactly as given), recorded in its provenance; null when called from code
     */
    public Result train(ClassifierOptions o, Progress progress, List<String> command) {
        o.requirePaths();
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        if (HadoopFiles.exists(new Path(o.out()), conf)) {
            throw new InvalidSettingException("{out} " + o.out() + " already exists; choose a new file or delete it");
        }
        ClassifierData data = ClassifierData.of(spark, o);
        ImageDataset dataset = data.train();
        Manifest m = dataset.manifest();
        int classes = m.labelNames().size();
        long start = System.nanoTime();

        // Not persisted here: the training master persists the RDD it is given (and refuses one
        // that already has a storage level). The train split is drawn anew each epoch.
        JavaRDD<DataSet> test = minibatches(data.test(), DatasetSchema.TEST, classes, o, 0);
        // Direct: the Export approach writes minibatches to temporary files that executors of a
        // non-local master may not see. Java serialization throughout (no Kryo registrator).
        // Repeatable: the seed fixes how each epoch is cut into averaging rounds (rngSeed), each
        // worker's dropout masks (WorkerSeeds) and, with the rows each worker gets (minibatches),
        // everything a worker computes; the driver sums the workers' results in partition order.
        ParameterAveragingTrainingMaster.Builder settings = new ParameterAveragingTrainingMaster.Builder(o.workers(), o.batch())
                .batchSizePerWorker(o.batch())
                .averagingFrequency(o.averaging())
                .workerPrefetchNumBatches(0)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .repartionData(Repartition.Never)
                .saveUpdater(true)
                .rngSeed(o.seed())
                .trainingHooks(new WorkerSeeds(o.seed()));
        ParameterAveragingTrainingMaster master = new PartitionOrderAveraging(settings);
        ClassifierModel initial = o.init() == null ? null : startingModel(o, m, conf);
        if (initial == null && Math.min(m.height(), m.width()) >> o.stages() < 1) {
            throw new InvalidSettingException("{stages} " + o.stages() + ": " + m.height() + "x" + m.width()
                    + " images are too small for " + o.stages() + " 2x2 poolings; give fewer stages");
        }
        SparkDl4jMultiLayer spark4j = initial == null
                ? new SparkDl4jMultiLayer(spark.sparkContext(),
                        ClassifierNetwork.build(m.height(), m.channels(), classes, o.width(), o.stages(), o.convs(), o.stageDropout(), o.seed(),
                                o.learningRate()), master)
                : new SparkDl4jMultiLayer(spark.sparkContext(), initial.network(), master);
        long trainCount = data.trainCount();
        org.nd4j.evaluation.classification.Evaluation eval = null;
        for (int e = 1; e <= o.epochs(); e++) {
            long t0 = System.nanoTime();
            // The training master broadcasts the configuration with the parameters at every
            // average, so this reaches the workers.
            spark4j.getNetwork().setLearningRate(o.learningRate(e));
            JavaRDD<DataSet> train = minibatches(dataset, data.trainSplit(), classes, o, e);
            spark4j.fit(train);
            train.unpersist(false);
            double fitSeconds = (System.nanoTime() - t0) / 1e9;
            // Scored after every epoch (a forward pass over the test split, a small share of an
            // epoch) so a long run shows where it is heading; the last score is the model's.
            eval = spark4j.evaluate(test);
            progress.epoch(e, o.epochs(), fitSeconds, eval.accuracy());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        MultiLayerNetwork network = spark4j.getNetwork();

        Map<String, Object> provenance = new LinkedHashMap<>();
        if (command != null) {
            provenance.put("command", List.copyOf(command));
        }
        provenance.put("gitCommit", Versions.commit());
        provenance.put("dataset", o.data());
        provenance.put("manifestSha256", ClassifierModel.sha256(
                HadoopFiles.readAll(new Path(o.data(), DatasetLayout.MANIFEST), conf)));
        provenance.put("seed", o.seed());
        provenance.put("epochs", o.epochs());
        provenance.put("workers", o.workers());
        provenance.put("batchPerWorker", o.batch());
        provenance.put("averagingFrequency", o.averaging());
        provenance.put("learningRate", o.learningRate());
        provenance.put("finalLearningRate", o.lastLearningRate());
        provenance.put("flip", o.flip());
        provenance.put("shift", o.shift());
        provenance.put("width", initial == null ? o.width() : initial.info().provenance().get("width"));
        provenance.put("stages", initial == null ? o.stages()
                : initial.info().provenance().getOrDefault("stages", ClassifierNetwork.MIN_STAGES));
        provenance.put("convsPerStage", initial == null ? o.convs()
                : initial.info().provenance().getOrDefault("convsPerStage", 1));
        provenance.put("stageDropout", initial == null ? o.stageDropout()
                : initial.info().provenance().getOrDefault("stageDropout", 0.0));
        if (initial != null) {
            provenance.put("continuedFrom", Map.of("path", o.init(), "sha256", initial.sha256(),
                    "testAccuracy", initial.info().testAccuracy(), "provenance", initial.info().provenance()));
        }
        provenance.put("trainedOn", data.describeTrain());
        if (o.testData() != null) {
            provenance.put("testDataset", o.testData());
            provenance.put("testManifestSha256", ClassifierModel.sha256(
                    HadoopFiles.readAll(new Path(o.testData(), DatasetLayout.MANIFEST), conf)));
        }
        provenance.put("trainCount", trainCount);
        provenance.put("trainingSeconds", seconds);
        provenance.put("versions", Versions.all());
        ClassifierModel.Info info = new ClassifierModel.Info(m.height(), m.channels(), m.labelNames(), eval.accuracy(),
                eval.getNumRowCounter(), ClassifierNetwork.FEATURES, provenance);
        String sha = ClassifierModel.save(network, info, o.out(), conf);
        return new Result(o.out(), sha, eval.accuracy(), trainCount, (long) eval.getNumRowCounter(), seconds,
                data.describeTrain());
    }

    /** The classifier to continue, with this run's learning rate; it must fit the dataset. */
    private static ClassifierModel startingModel(ClassifierOptions o, Manifest m, Configuration conf) {
        ClassifierModel start = ClassifierModel.load(o.init(), conf);
        ClassifierModel.Info info = start.info();
        if (info.size() != m.height() || info.channels() != m.channels() || !info.classNames().equals(m.labelNames())) {
            throw new InvalidSettingException("{init} " + o.init() + " takes " + info.size() + "x" + info.size() + "x"
                    + info.channels() + " images of classes " + info.classNames() + "; {data} " + o.data() + " has "
                    + m.height() + "x" + m.width() + "x" + m.channels() + " of " + m.labelNames());
        }
        start.network().setLearningRate(o.learningRate());
        return start;
    }

    /**
     * Minibatches of {@code batch} labelled rows of {@code split} (null: every split; fewer at a
     * partition's end), spread over one partition per worker; rows without a label are skipped. For a training epoch ({@code
     * epoch > 0}) the rows come in an order drawn from the seed and the epoch, and with {@code
     * --flip} a random half of them are mirrored, and with {@code --shift} each is moved by a random
     * offset, so runs repeat exactly.
     */
    private JavaRDD<DataSet> minibatches(ImageDataset dataset, String split, int classes, ClassifierOptions o,
                                         int epoch) {
        int batch = o.batch();
        long draw = o.seed() * 1_000_003L + epoch;
        boolean flip = epoch > 0 && o.flip();
        int shift = epoch > 0 ? o.shift() : 0;
        // Each row's worker and its place in that worker's order come from a hash of its id, the
        // seed and the epoch: drawn anew each epoch, and independent of how the files were split
        // into input partitions and of the order shuffle blocks arrive in.
        String order = "order";
        org.apache.spark.sql.Column labelled = col(DatasetSchema.LABEL).isNotNull();
        Dataset<Row> rows = dataset.rows(spark)
                .where(split == null ? labelled : col(DatasetSchema.SPLIT).equalTo(split).and(labelled))
                .select(col(DatasetSchema.IMAGE), col(DatasetSchema.LABEL),
                        xxhash64(col(DatasetSchema.ID), lit(draw)).as(order));
        return rows.repartition(o.workers(), col(order))
                .sortWithinPartitions(order)
                .javaRDD()
                .mapPartitions((Iterator<Row> it) -> {
                    SplittableRandom coin = new SplittableRandom(draw * 31 + TaskContext.getPartitionId());
                    List<DataSet> out = new ArrayList<>();
                    List<SparkImage> images = new ArrayList<>(batch);
                    List<Integer> labels = new ArrayList<>(batch);
                    while (it.hasNext()) {
                        Row row = it.next();
                        SparkImage image = SparkImage.fromRow(row.getStruct(0));
                        if (flip && coin.nextBoolean()) {
                            image = image.mirrored();
                        }
                        if (shift > 0) {
                            image = image.shifted(coin.nextInt(-shift, shift + 1), coin.nextInt(-shift, shift + 1));
                        }
                        images.add(image);
                        labels.add(row.getInt(1));
                        if (images.size() == batch || !it.hasNext()) {
                            out.add(toMinibatch(images, labels, classes));
                            images.clear();
                            labels.clear();
                        }
                    }
                    return out.iterator();
                });
    }

    private static DataSet toMinibatch(List<SparkImage> images, List<Integer> labels, int classes) {
        float[] oneHot = new float[labels.size() * classes];
        for (int i = 0; i < labels.size(); i++) {
            oneHot[i * classes + labels.get(i)] = 1f;
        }
        return new DataSet(PixelAdapter.toNchw(images), Nd4j.create(oneHot, new long[]{labels.size(), classes}, 'c'));
    }
}
