package io.atelier.common.stylize;

import io.atelier.common.image.ImageDecoder;
import io.atelier.common.image.ImageGrid;
import io.atelier.common.image.SparkImage;
import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.style.StyleImages;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;

/**
 * A before/after sheet of a stylize output: the first row holds the input pictures (the first
 * {@code maxInputs} paths in order), each further row one variant (style, method, parameters)
 * of them. Only those few rows reach the driver.
 */
public final class StylizeGrid {
    private StylizeGrid() {
    }

    public static void write(SparkSession spark, String outDir, String gridFile, int maxInputs) {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        var output = spark.read().schema(StylizeJob.ROW).parquet(outDir);
        List<String> paths = output.select("path").distinct().orderBy("path").limit(maxInputs)
                .as(Encoders.STRING()).collectAsList();
        if (paths.isEmpty()) {
            throw new InvalidSettingException("{grid}: " + outDir + " holds no stylized images yet");
        }
        Map<String, Map<String, BufferedImage>> variants = new TreeMap<>();
        Map<String, String> origins = new TreeMap<>();
        List<Row> found = output.where(col("path").isin(paths.toArray())).collectAsList();
        boolean manyStyles = found.stream().map(r -> r.getString(3)).distinct().count() > 1;
        for (Row r : found) {
            String variant = label(outDir, r.getString(3), r.getString(4), r.getString(5), manyStyles, conf);
            variants.computeIfAbsent(variant, v -> new TreeMap<>()).put(r.getString(2),
                    SparkImage.fromRow(r.getStruct(6)).toRgb());
            origins.put(r.getString(2), r.getString(1));
        }
        List<List<BufferedImage>> rows = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<BufferedImage> originals = new ArrayList<>();
        BufferedImage sample = variants.values().iterator().next().values().iterator().next();
        int side = Math.max(sample.getWidth(), sample.getHeight());
        for (String path : paths) {
            originals.add(original(origins.get(path), side, conf));
        }
        rows.add(originals);
        labels.add("input");
        variants.forEach((variant, images) -> {
            List<BufferedImage> row = new ArrayList<>();
            for (String path : paths) {
                row.add(images.getOrDefault(path, blank(side)));
            }
            rows.add(row);
            labels.add(variant);
        });
        HadoopFiles.writeAtomically(new Path(gridFile), ImageGrid.toPng(ImageGrid.compose(rows, labels, 1)), conf);
    }

    /**
     * A short row label: method, Gatys iterations, "colour kept" for --preserve-color (read from
     * {@code _params/<hash>.json}), prefixed with the style when there are several.
     */
    private static String label(String outDir, String style, String method, String hash, boolean manyStyles,
                                Configuration conf) {
        String text = method + " " + hash.substring(0, 6);
        Path file = new Path(new Path(outDir, StylizeJob.PARAMS), hash + ".json");
        if (HadoopFiles.exists(file, conf)) {
            try {
                var p = io.atelier.common.io.Json.MAPPER.readTree(HadoopFiles.readAll(file, conf));
                text = method + (p.has("iterations") ? " " + p.get("iterations").asInt() + " it" : "")
                        + (p.path("preserveColor").asBoolean() ? ", colour kept" : "");
            } catch (java.io.IOException e) {
                // an unreadable description leaves the hash as the label
            }
        }
        return manyStyles ? style + ": " + text : text;
    }

    /** The input picture at the stylized size, or a blank cell when its origin cannot be read back (datasets). */
    private static BufferedImage original(String origin, int side, Configuration conf) {
        try {
            BufferedImage rgb = new ImageDecoder(50_000_000L).decode(HadoopFiles.readAll(new Path(origin), conf));
            return StyleImages.toImage(StyleImages.toUnitLongest(rgb, side), 0);
        } catch (Exception e) {
            return blank(side);
        }
    }

    private static BufferedImage blank(int side) {
        return new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
    }
}
