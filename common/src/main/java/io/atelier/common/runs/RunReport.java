package io.atelier.common.runs;

import io.atelier.common.Versions;
import io.atelier.common.image.ImageGrid;
import io.atelier.common.io.HadoopFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * Writes a run's {@code report.html}: one self-contained page (no scripts, no external files:
 * every image is an inline base64 PNG) with the metric and timing curves, the sample grids over
 * time and the config. Curves are drawn with JFreeChart. Built from the run directory alone, so
 * any run can be reported on again.
 */
public final class RunReport {
    /** Sample grids shown at most; evenly spaced over the run, always with the newest. */
    static final int MAX_GRIDS = 12;
    /** A metric named {@code NAME_floor} is the reference line of metric {@code NAME}'s chart. */
    public static final String FLOOR_SUFFIX = "_floor";
    private static final int CHART_WIDTH = 560;
    private static final int CHART_HEIGHT = 280;

    private RunReport() {
    }

    /** Writes (or rewrites) {@code report.html} in the run directory and returns its path. */
    public static Path write(String runDir, Configuration conf) {
        return write(RunDirectory.existing(runDir, conf), List.of());
    }

    /** @param metricOrder metrics to chart first, in this order (a trainer's {@code metricNames()}) */
    public static Path write(RunDirectory dir, List<String> metricOrder) {
        Configuration conf = dir.conf();
        String config = HadoopFiles.exists(dir.config(), conf)
                ? new String(HadoopFiles.readAll(dir.config(), conf), StandardCharsets.UTF_8) : "(no config.json)";
        List<RoundRecord> records = MetricsLog.read(dir.metrics(), conf);
        List<DivergedEvent> events = MetricsLog.events(dir.metrics(), conf);
        OptionalInt latest = dir.checkpoints().latestRound();
        CheckpointMeta meta = latest.isPresent() ? dir.checkpoints().readMeta(latest.getAsInt()) : null;
        String html = render(dir.root().getName(), records, events, metricNames(records, metricOrder), dir, meta, config);
        HadoopFiles.writeAtomically(dir.report(), html.getBytes(StandardCharsets.UTF_8), conf);
        return dir.report();
    }

    private static String render(String name, List<RoundRecord> records, List<DivergedEvent> events, Set<String> metrics,
                                 RunDirectory dir,
                                 CheckpointMeta meta, String config) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Atelier run ")
                .append(esc(name)).append("</title>\n<style>")
                .append("body{font-family:sans-serif;margin:24px;color:#222;max-width:1240px}")
                .append("table{border-collapse:collapse}td,th{padding:3px 12px 3px 0;text-align:left;vertical-align:top}")
                .append(".grid{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}figcaption{font-size:13px;color:#555}")
                .append("pre{background:#f6f6f6;padding:12px;overflow:auto;font-size:12px}")
                .append("</style></head><body>\n<h1>Run ").append(esc(name)).append("</h1>\n");
        summary(h, records, events, meta);

        h.append("<h2>Training metrics</h2>\n<div class=\"grid\">\n");
        for (String metric : metrics) {
            if (metric.endsWith(FLOOR_SUFFIX) && metrics.contains(metric.substring(0, metric.length() - FLOOR_SUFFIX.length()))) {
                continue; // drawn as the reference line of its metric's chart
            }
            double floor = latest(records, metric + FLOOR_SUFFIX);
            String title = Double.isNaN(floor) ? metric : metric + " (dashed: floor " + String.format("%.4g", floor) + ")";
            chart(h, title, "round", metric, Map.of(metric, r -> r.metrics().getOrDefault(metric, Double.NaN)), records,
                    floor);
        }
        h.append("</div>\n<h2>Throughput and timing</h2>\n<div class=\"grid\">\n");
        chart(h, "Images per second", "round", "images/s", Map.of("images/s", RoundRecord::imagesPerSecond), records,
                Double.NaN);
        chart(h, "Seconds per round", "round", "seconds", timingSeries(), records, Double.NaN);
        chart(h, "Averaging overhead (share of round)", "round", "share",
                Map.of("overhead share", RoundRecord::overheadShare), records, Double.NaN);
        h.append("</div>\n<h2>Samples (same inputs every time)</h2>\n<div class=\"grid\">\n");
        TreeMap<Integer, Path> samples = dir.samples();
        for (Map.Entry<Integer, Path> e : pick(samples).entrySet()) {
            h.append("<figure><img alt=\"samples after round ").append(e.getKey()).append("\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(HadoopFiles.readAll(e.getValue(), dir.conf())))
                    .append("\"><figcaption>round ").append(e.getKey()).append("</figcaption></figure>\n");
        }
        if (samples.isEmpty()) {
            h.append("<p>No sample grids yet.</p>\n");
        }
        h.append("</div>\n<h2>Config</h2>\n<pre>").append(esc(config)).append("</pre>\n");
        h.append("<p><small>Report written ").append(esc(Instant.now().toString())).append(" by Atelier ")
                .append(esc(Versions.atelier())).append(".</small></p>\n</body></html>\n");
        return h.toString();
    }

    private static void summary(StringBuilder h, List<RoundRecord> records, List<DivergedEvent> events, CheckpointMeta meta) {
        h.append("<table>\n");
        if (meta != null) {
            row(h, "Model", meta.trainer());
            row(h, "Dataset", meta.dataset() + " (manifest sha256 " + meta.datasetManifestSha256().substring(0, 12) + "...)");
            row(h, "Workers x local steps", meta.workers() + " x " + meta.localSteps());
            row(h, "Seed", Long.toString(meta.seed()));
            row(h, "Latest checkpoint", "round " + meta.round() + ", step " + meta.step() + ", " + meta.writtenAt());
        }
        if (!records.isEmpty()) {
            RoundRecord last = records.get(records.size() - 1);
            row(h, "Rounds", Integer.toString(last.round()));
            row(h, "Images seen", Long.toString(last.imagesSeen()));
            row(h, "Images per second (mean)", String.format("%.1f", records.stream().mapToDouble(RoundRecord::imagesPerSecond).average().orElse(0)));
            double[] evaluations = records.stream().mapToDouble(RoundRecord::evaluationSeconds).filter(t -> t > 0).toArray();
            if (evaluations.length > 0) {
                row(h, "Evaluations", String.format("%d, %.1f s each on average (not in the round times)", evaluations.length,
                        java.util.Arrays.stream(evaluations).average().orElse(0)));
            }
            row(h, "Averaging overhead (mean share)", String.format("%.1f%%", 100 * records.stream().mapToDouble(RoundRecord::overheadShare).average().orElse(0)));
            StringBuilder latest = new StringBuilder();
            last.metrics().forEach((k, v) -> latest.append(k).append(' ').append(String.format("%.4g", v)).append("  "));
            row(h, "Last round", latest.toString().trim());
        }
        if (!events.isEmpty()) {
            DivergedEvent e = events.get(events.size() - 1);
            int lastRound = records.isEmpty() ? 0 : records.get(records.size() - 1).round();
            String what = e.tensor() != null ? "tensor " + e.tensor() + " held " + e.value() + " at index " + e.index()
                    : "metric " + e.metric() + " was " + e.value();
            row(h, "Rejected results", events.size() + " (a worker's state held NaN/infinity or a metric exploded; not averaged)");
            // A stop later followed by rounds (a resume with other settings) no longer describes the run.
            if (DivergedEvent.STOP.equals(e.action()) && e.round() > lastRound) {
                row(h, "Stopped on divergence", "round " + e.round() + ", worker " + e.worker() + ": " + what
                        + "; the latest checkpoint is the last good state");
            }
        }
        h.append("</table>\n");
    }

    private static void row(StringBuilder h, String key, String value) {
        h.append("<tr><th>").append(esc(key)).append("</th><td>").append(esc(value)).append("</td></tr>\n");
    }

    /** The preferred names that occur, then the rest as logged. */
    private static Set<String> metricNames(List<RoundRecord> records, List<String> preferred) {
        Set<String> logged = new LinkedHashSet<>();
        records.forEach(r -> logged.addAll(r.metrics().keySet()));
        Set<String> names = new LinkedHashSet<>();
        preferred.stream().filter(logged::contains).forEach(names::add);
        names.addAll(logged);
        return names;
    }

    private static Map<String, ToDoubleFunction<RoundRecord>> timingSeries() {
        Map<String, ToDoubleFunction<RoundRecord>> series = new java.util.LinkedHashMap<>();
        series.put("round", RoundRecord::roundSeconds);
        series.put("local steps (slowest worker)", RoundRecord::computeSeconds);
        series.put("overhead", RoundRecord::overheadSeconds);
        return series;
    }

    /** The metric's value in the newest record that has it, or NaN. */
    private static double latest(List<RoundRecord> records, String metric) {
        for (int i = records.size() - 1; i >= 0; i--) {
            Double v = records.get(i).metrics().get(metric);
            if (v != null) {
                return v;
            }
        }
        return Double.NaN;
    }

    /** @param reference a value drawn as a dashed horizontal line (a metric's floor), or NaN */
    private static void chart(StringBuilder h, String title, String xLabel, String yLabel,
                              Map<String, ToDoubleFunction<RoundRecord>> series, List<RoundRecord> records,
                              double reference) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, ToDoubleFunction<RoundRecord>> s : series.entrySet()) {
            XYSeries xy = new XYSeries(s.getKey());
            for (RoundRecord r : records) {
                double y = s.getValue().applyAsDouble(r);
                if (Double.isFinite(y)) {
                    xy.add(r.round(), y);
                }
            }
            data.addSeries(xy);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL,
                series.size() > 1, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        if (Double.isFinite(reference)) {
            ValueMarker marker = new ValueMarker(reference, Color.DARK_GRAY,
                    new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{6f, 4f}, 0f));
            plot.addRangeMarker(marker);
            // Keep the line in view when the curve lies far above it.
            plot.getRangeAxis().setLowerBound(Math.min(plot.getRangeAxis().getLowerBound(), reference * 0.9));
        }
        byte[] png = ImageGrid.toPng(chart.createBufferedImage(CHART_WIDTH, CHART_HEIGHT));
        h.append("<img alt=\"").append(esc(title)).append("\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(png)).append("\">\n");
    }

    /** At most {@link #MAX_GRIDS} grids, evenly spaced by position, always including the newest. */
    static TreeMap<Integer, Path> pick(TreeMap<Integer, Path> samples) {
        if (samples.size() <= MAX_GRIDS) {
            return samples;
        }
        List<Map.Entry<Integer, Path>> all = new ArrayList<>(samples.entrySet());
        TreeMap<Integer, Path> out = new TreeMap<>();
        for (int i = 0; i < MAX_GRIDS; i++) {
            Map.Entry<Integer, Path> e = all.get((int) Math.round(i * (all.size() - 1) / (double) (MAX_GRIDS - 1)));
            out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
