package io.atelier.jobs;

import io.atelier.common.data.ingest.Ingest;
import io.atelier.common.data.ingest.IngestOptions;
import io.atelier.common.data.ingest.IngestSummary;
import io.atelier.common.families.FamilyTraining;
import io.atelier.common.families.ModelFamily;
import io.atelier.common.families.SampledEvaluation;
import io.atelier.common.families.TrainingSettings;
import io.atelier.common.io.OutputLease;
import io.atelier.common.train.TrainingResult;
import org.apache.spark.sql.SparkSession;

import java.time.Duration;
import java.util.List;

/**
 * Library calls with their console output, shared by the commands that compose them (a command
 * never calls another command).
 */
final class JobSteps {
    static final String FASHION_IMAGES = "t10k-images-idx3-ubyte.gz";

    private JobSteps() {
    }

    /** Runs an ingest with console progress and prints its reconciliation line; holds the output's lease meanwhile. */
    static IngestSummary ingest(SparkSession session, IngestOptions options, Duration leaseWait) {
        IngestSummary summary;
        try (OutputLease held = LeaseOptions.take(session, "ingest", options.output(), leaseWait);
             ConsoleProgress progress = new ConsoleProgress("ingest")) {
            summary = new Ingest(session, options).run(progress);
        }
        if (summary.alreadyPresent()) {
            System.out.println("ingest: " + options.output() + " already holds this dataset; nothing to do");
        }
        System.out.println(summary.line());
        if (summary.quarantined() > 0) {
            System.out.println("quarantined inputs and reasons: " + options.output() + "/_quarantine");
        }
        return summary;
    }

    /** Ingests IDX images into {@code datasetDir} at 28x28 unless that dataset is already there. */
    static String ingestIdx(SparkSession session, String datasetDir, String idxImages) {
        ingest(session, IngestOptions.of(List.of(idxImages), datasetDir, 28), Duration.ZERO);
        return datasetDir;
    }

    /** The vendored Fashion-MNIST as a dataset in {@code datasetDir}, for commands that need a default dataset. */
    static String vendoredFashionMnist(SparkSession session, String datasetDir) {
        return ingestIdx(session, datasetDir, "data/fashion-mnist/" + FASHION_IMAGES);
    }

    /**
     * Trains (or resumes) a run of {@code family}, printing each round and where the run is; holds the run
     * directory's lease meanwhile, so that two runs (a --resume included) never write one directory.
     */
    static TrainingResult train(SparkSession session, String command, ModelFamily family, TrainingSettings settings,
                                SampledEvaluation evaluation, Duration leaseWait) {
        TrainingResult result;
        try (OutputLease held = LeaseOptions.take(session, command, settings.out(), leaseWait)) {
            result = FamilyTraining.run(session, family, settings, p -> System.out.println(p.describe()), evaluation);
        }
        System.out.println("run directory: " + result.runDir() + "   report: " + result.report());
        return result;
    }
}
