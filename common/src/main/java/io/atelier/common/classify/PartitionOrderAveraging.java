package io.atelier.common.classify;

import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingResult;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.Serializable;
import java.util.List;

/**
 * dl4j-spark's parameter averaging with the workers' parameters and updater states summed in
 * partition order. dl4j-spark's own round ends in a {@code treeAggregate}, whose last fold adds
 * the results in the order the tasks finish; floating-point addition is not associative, so with
 * three or more workers the average changed from run to run (two operands commute, which hid
 * it at two). Each worker's result comes to the driver, as the tree did for the few workers this
 * classifier trains with.
 */
final class PartitionOrderAveraging extends ParameterAveragingTrainingMaster {
    private static final long serialVersionUID = 1L;

    PartitionOrderAveraging(Builder builder) {
        super(builder);
    }

    @Override
    protected void processResults(SparkDl4jMultiLayer network, SparkComputationGraph graph,
                                  JavaRDD<ParameterAveragingTrainingResult> results, int splitNum, int totalSplits) {
        if (network == null) {
            throw new UnsupportedOperationException("partition-order averaging is written for MultiLayerNetwork training");
        }
        // collect() lists each partition's results in partition order, whichever task finished
        // first. dl4j-spark's result type is not serializable; its arrays are.
        List<Part> parts = results.map(r -> new Part(r.getParameters(), r.getUpdaterState(), r.getScore())).collect();
        if (parts.isEmpty()) {
            return; // a round in which no worker had data changes nothing
        }
        INDArray params = parts.get(0).params().dup();
        INDArray updater = parts.get(0).updater() == null ? null : parts.get(0).updater().dup();
        double score = parts.get(0).score();
        for (Part part : parts.subList(1, parts.size())) {
            params.addi(part.params());
            if (updater != null) {
                updater.addi(part.updater());
            }
            score += part.score();
        }
        params.divi(parts.size());
        MultiLayerNetwork net = network.getNetwork();
        net.setParameters(params);
        if (updater != null) {
            net.getUpdater().setStateViewArray(null, updater.divi(parts.size()), false);
        }
        network.setScore(score / parts.size());
        // As dl4j-spark counts: the averaging frequency's worth of iterations per round. Workers
        // read it from the next broadcast (WorkerSeeds tells rounds apart by it).
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        conf.setIterationCount(conf.getIterationCount() + averagingFrequency);
    }

    /** One worker's result of a round. */
    private record Part(INDArray params, INDArray updater, double score) implements Serializable {
    }
}
