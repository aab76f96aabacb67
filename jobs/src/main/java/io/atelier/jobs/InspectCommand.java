package io.atelier.jobs;

import io.atelier.common.data.DatasetDescription;
import io.atelier.common.data.DatasetPreview;
import io.atelier.common.data.ImageDataset;
import io.atelier.common.data.InspectSettings;
import io.atelier.common.image.ImageGrid;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.Json;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code atelier inspect}: a dataset's manifest in words (or JSON) and a labelled sample grid. */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Print a dataset's manifest and write a labelled sample grid PNG.")
final class InspectCommand implements Callable<Integer>, SettingsOptions.Command<InspectSettings> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "Dataset directory.")
    String dir;

    @Option(names = "--config", paramLabel = "FILE", description = "JSON file of settings; flags override it.")
    String config;

    @Mixin
    SparkOptions spark;

    @Override
    public Class<InspectSettings> settingsType() {
        return InspectSettings.class;
    }

    @Override
    public InspectSettings defaults() {
        return InspectSettings.DEFAULTS;
    }

    @Override
    public Integer call() {
        InspectSettings s = SettingsOptions.resolve(spec, InspectSettings.class, InspectSettings.DEFAULTS, config);
        boolean json = s.json();
        String grid = s.grid();
        int perLabel = s.perLabel();
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
