package io.atelier.jobs;

import io.atelier.common.data.DatasetPreview;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.Manifest;
import io.atelier.common.image.ImageGrid;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.Json;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
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
            describe(dataset, System.out);
        }
        String target = grid != null ? grid : stripSlash(dir) + "-grid.png";
        HadoopFiles.writeAtomically(new Path(target),
                ImageGrid.toPng(DatasetPreview.grid(session, dataset, perLabel)),
                session.sparkContext().hadoopConfiguration());
        (json ? System.err : System.out).println("sample grid: " + target);
        return 0;
    }

    static void describe(ImageDataset dataset, PrintStream out) {
        Manifest m = dataset.manifest();
        Manifest.Counts c = m.counts();
        out.printf("dataset  %s%n", dataset.path());
        out.printf("images   %d (%s), %dx%d, %d channel%s (%s), %d shards%n", c.rows(), splits(c.perSplit()),
                m.height(), m.width(), m.channels(), m.channels() == 1 ? "" : "s", m.channelOrder(), m.shards());
        out.printf("mean     %s   std %s   (pixel/255, RGB order)%n", format(m.channelMean()), format(m.channelStd()));
        List<String> names = m.labelNames();
        if (names != null && !names.isEmpty()) {
            out.println("labels");
            c.perLabel().entrySet().stream()
                    .sorted(Map.Entry.comparingByKey((a, b) -> labelOrder(a) - labelOrder(b)))
                    .forEach(e -> {
                        String name = e.getKey().equals("unlabelled") ? ""
                                : names.get(Integer.parseInt(e.getKey()));
                        out.printf("  %-10s %-14s %s%n", e.getKey(), name, splits(e.getValue()));
                    });
        }
        if (c.in() != null) {
            out.printf("ingest   in %d = accepted %d + duplicates %d + quarantined %d%n",
                    c.in(), c.accepted(), c.duplicates(), c.quarantined());
        }
        if (m.provenance() != null) {
            Object source = m.provenance().getOrDefault("ingest", m.provenance());
            out.printf("made by  %s from %s%n", m.createdBy(), Json.line(source));
        }
    }

    private static int labelOrder(String key) {
        return key.equals("unlabelled") ? Integer.MAX_VALUE : Integer.parseInt(key);
    }

    private static String splits(Map<String, Long> perSplit) {
        StringBuilder s = new StringBuilder();
        perSplit.forEach((k, v) -> s.append(s.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
        return s.toString();
    }

    private static String format(double[] values) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            s.append(i == 0 ? "" : ", ").append(String.format("%.4f", values[i]));
        }
        return s.append(']').toString();
    }

    private static String stripSlash(String path) {
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
