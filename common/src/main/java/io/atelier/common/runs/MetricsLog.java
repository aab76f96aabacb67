package io.atelier.common.runs;

import io.atelier.common.io.HadoopFiles;
import io.atelier.common.io.Json;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's {@code metrics.jsonl}, one {@link RoundRecord} per line. Not every Hadoop FileSystem
 * can append (object stores cannot), so each round rewrites the file atomically from the lines
 * held here: readers always see whole lines, at the cost of rewriting a small file per round.
 * Lines with an {@code event} field ({@link DivergedEvent}) are events, not rounds.
 */
public final class MetricsLog {
    private final Path path;
    private final Configuration conf;
    private final List<String> lines;

    private MetricsLog(Path path, Configuration conf, List<String> lines) {
        this.path = path;
        this.conf = conf;
        this.lines = lines;
    }

    public static MetricsLog start(Path path, Configuration conf) {
        MetricsLog log = new MetricsLog(path, conf, new ArrayList<>());
        log.flush();
        return log;
    }

    /**
     * Continues a log after a resume from {@code round}: lines of later rounds (lost work) are
     * dropped. Events are kept: they say why an earlier attempt stopped.
     */
    public static MetricsLog resume(Path path, Configuration conf, int round) {
        List<String> kept = new ArrayList<>();
        if (HadoopFiles.exists(path, conf)) {
            for (String line : lines(path, conf)) {
                if (isEvent(line, path)
                        || Json.parse(line.getBytes(StandardCharsets.UTF_8), RoundRecord.class, path.toString()).round() <= round) {
                    kept.add(line);
                }
            }
        }
        MetricsLog log = new MetricsLog(path, conf, kept);
        log.flush();
        return log;
    }

    public void append(RoundRecord record) {
        lines.add(Json.line(record));
        flush();
    }

    public void append(DivergedEvent event) {
        lines.add(Json.line(event));
        flush();
    }

    /** The round records, in order; event lines are skipped. */
    public static List<RoundRecord> read(Path path, Configuration conf) {
        List<RoundRecord> out = new ArrayList<>();
        if (HadoopFiles.exists(path, conf)) {
            for (String line : lines(path, conf)) {
                if (!isEvent(line, path)) {
                    out.add(Json.parse(line.getBytes(StandardCharsets.UTF_8), RoundRecord.class, path.toString()));
                }
            }
        }
        return out;
    }

    /** The events (rejected rounds), in order. */
    public static List<DivergedEvent> events(Path path, Configuration conf) {
        List<DivergedEvent> out = new ArrayList<>();
        if (HadoopFiles.exists(path, conf)) {
            for (String line : lines(path, conf)) {
                if (isEvent(line, path)) {
                    out.add(Json.parse(line.getBytes(StandardCharsets.UTF_8), DivergedEvent.class, path.toString()));
                }
            }
        }
        return out;
    }

    /** Whether the line is an event rather than a round. */
    private static boolean isEvent(String line, Path path) {
        return Json.parse(line.getBytes(StandardCharsets.UTF_8), JsonNode.class, path.toString()).has("event");
    }

    private static List<String> lines(Path path, Configuration conf) {
        String text = new String(HadoopFiles.readAll(path, conf), StandardCharsets.UTF_8);
        return text.lines().filter(l -> !l.isBlank()).toList();
    }

    private void flush() {
        StringBuilder text = new StringBuilder();
        lines.forEach(l -> text.append(l).append('\n'));
        HadoopFiles.writeAtomically(path, text.toString().getBytes(StandardCharsets.UTF_8), conf);
    }
}
