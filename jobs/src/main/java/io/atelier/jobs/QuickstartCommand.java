package io.atelier.jobs;

import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.ingest.IngestOptions;
import io.atelier.common.image.ImageGrid;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.data.DatasetPreview;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code atelier quickstart}: the whole path on the vendored Fashion-MNIST sample. */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = "Ingest the vendored Fashion-MNIST test set and inspect it (re-runs reuse what is done).")
final class QuickstartCommand implements Callable<Integer> {
    @Option(names = "--data", defaultValue = "data/fashion-mnist", paramLabel = "DIR",
            description = "Vendored IDX files (default: ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--out", defaultValue = "runs/quickstart", paramLabel = "DIR",
            description = "Where the dataset and artifacts go (default: ${DEFAULT-VALUE}).")
    String out;

    @Mixin
    SparkOptions spark;

    @Override
    public Integer call() {
        SparkSession session = SparkSessions.create("quickstart", spark.master);
        String datasetDir = out + "/fashion-mnist";
        System.out.println("== 1/2 ingest " + data + " -> " + datasetDir);
        IngestCommand.run(session, IngestOptions.of(List.of(data + "/t10k-images-idx3-ubyte.gz"), datasetDir, 28));

        System.out.println("== 2/2 inspect " + datasetDir);
        ImageDataset dataset = ImageDataset.open(session, datasetDir);
        InspectCommand.describe(dataset, System.out);
        String grid = out + "/dataset-grid.png";
        HadoopFiles.writeAtomically(new Path(grid), ImageGrid.toPng(DatasetPreview.grid(session, dataset, 10)),
                session.sparkContext().hadoopConfiguration());
        System.out.println("sample grid: " + grid);
        return 0;
    }
}
