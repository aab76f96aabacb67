package io.atelier.jobs;

import io.atelier.common.data.DatasetDescription;
import io.atelier.common.data.DatasetPreview;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.image.ImageGrid;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.Json;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code atelier inspect}: a dataset's manifest in words (or JSON) and a labelled sample grid. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Print a dataset's manifest and write a labelled sample grid PNG.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DIR", description = "Dataset directory.")
    String dir;

    @Option(names = "--json", description = "Print the manifest as JSON.")
    boolean json;

    @Option(names = "--grid", paramLabel = "FILE.png", description = "Sample grid to write (default: DIR-grid.png).")
    String grid;

    @Option(names = "--per-label", defaultValue = "10", paramLabel = "N", description = "Images per label row (default: ${DEFAULT-VALUE}).")
    int perLabel;

    @Mixin
    SparkOptions spark;

    @Override
    public Integer call() {
        SparkSession session = SparkSessions.create("inspect", spark.master);
        ImageDataset dataset = ImageDataset.open(session, dir);
        if (json) {
            System.out.println(Json.pretty(dataset.manifest()));
        } else {
            System.out.print(DatasetDescription.of(dataset));
        }
        String target = grid != null ? grid : stripSlash(dir) + "-grid.png";
        HadoopFiles.writeAtomically(new Path(target),
                ImageGrid.toPng(DatasetPreview.grid(session, dataset, perLabel)),
                session.sparkContext().hadoopConfiguration());
        (json ? System.err : System.out).println("sample grid: " + target);
        return 0;
    }

    private static String stripSlash(String path) {
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
