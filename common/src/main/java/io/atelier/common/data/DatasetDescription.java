package io.atelier.common.data;

import io.atelier.common.io.Json;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

/** A dataset's manifest in words: size, splits, pixel statistics, labels, ingest counts, provenance. */
public final class DatasetDescription {
    private DatasetDescription() {
    }

    /** Several lines, each ending in a line break. */
    public static String of(ImageDataset dataset) {
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
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
        out.flush();
        return text.toString();
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
}
