package io.atelier.jobs;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Progress where clusters keep logs: plain lines, no carriage returns, a few seconds apart. */
@org.junit.jupiter.api.extension.ExtendWith(StopSparkAfterAll.class)
class JobProgressTest {
    @TempDir
    Path tmp;

    @Test
    void modeIsABarOnlyOnAConsoleUnlessOverridden() {
        assertEquals(JobProgress.Mode.PLAIN, JobProgress.Mode.of(null, null, false), "no console: container logs, pipes");
        assertEquals(JobProgress.Mode.BAR, JobProgress.Mode.of(null, null, true));
        assertEquals(JobProgress.Mode.PLAIN, JobProgress.Mode.of(null, "plain", true), "ATELIER_PROGRESS=plain");
        assertEquals(JobProgress.Mode.BAR, JobProgress.Mode.of(null, "BAR", false), "ATELIER_PROGRESS=bar");
        assertEquals(JobProgress.Mode.PLAIN, JobProgress.Mode.of("plain", "bar", true), "the property wins");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> JobProgress.Mode.of(null, "fancy", true));
        assertTrue(bad.getMessage().contains("ATELIER_PROGRESS=fancy") && bad.getMessage().contains("plain"), bad.getMessage());
    }

    @Test
    void plainLinesCarryCountRateAndEtaAtMostOnceAnInterval() {
        long[] now = {0};
        List<String> lines = new ArrayList<>();
        try (JobProgress p = JobProgress.plain("generate", "img", lines::add, () -> now[0], Duration.ofSeconds(5))) {
            // 1000 images at 10 images/s, an update every 100 ms: 100 s of work
            for (int done = 1; done <= 1000; done++) {
                now[0] += Duration.ofMillis(100).toNanos();
                p.update(done, 1000, "");
            }
        }
        // a first line at once, then one per 5 s of the remaining 99.9 s, then the last counts on close
        assertEquals(21, lines.size(), "lines: " + lines);
        assertEquals("1/1000 img (0%), 10.0 img/s, ETA 1m40s", lines.get(0));
        assertEquals("501/1000 img (50%), 10.0 img/s, ETA 50s", lines.get(10));
        assertEquals("1000/1000 img (100%), 10.0 img/s", lines.get(lines.size() - 1), "closing writes the final counts");
        assertTrue(lines.stream().noneMatch(l -> l.contains("\r") || l.contains("\n")), "plain lines only");
    }

    @Test
    void unknownTotalsAndExtrasReadAsOneLine() {
        long[] now = {0};
        List<String> lines = new ArrayList<>();
        JobProgress p = JobProgress.plain("ingest", "img", lines::add, () -> now[0], Duration.ofSeconds(5));
        now[0] = Duration.ofSeconds(4).toNanos();
        p.update(20, -1, "accepted 19, quarantined 1");
        now[0] = Duration.ofSeconds(5).toNanos();
        p.update(25, -1, "accepted 24, quarantined 1");
        p.close();
        p.update(30, -1, "after close");
        assertEquals(List.of("20 img, 5.0 img/s, accepted 19, quarantined 1",
                "25 img, 5.0 img/s, accepted 24, quarantined 1"), lines);
    }

    /** A real ingest with its output in a non-terminal stream: its progress is logged as plain lines. */
    @Test
    void ingestOutsideATerminalLogsPlainProgressLinesUnderTheJobsName() throws IOException {
        Path photos = tmp.resolve("photos");
        Files.createDirectories(photos);
        for (int i = 0; i < 12; i++) {
            BufferedImage img = new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(new Color(20 * i, 100, 255 - 20 * i));
            g.fillRect(i, 0, 10, 10);
            g.dispose();
            ImageIO.write(img, "png", photos.resolve(i + ".png").toFile());
        }
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        StringWriter log = new StringWriter();
        WriterAppender capture = WriterAppender.newBuilder().setName("progress-capture").setTarget(log)
                .setLayout(PatternLayout.newBuilder().withPattern("%c %m%n").build()).build();
        capture.start();
        LoggerConfig atelier = ctx.getConfiguration().getLoggerConfig("io.atelier");
        atelier.addAppender(capture, null, null);
        ctx.updateLoggers();
        String old = System.getProperty("atelier.progress");
        System.setProperty("atelier.progress", "plain");
        AtelierCliTest.Result r;
        try {
            r = AtelierCliTest.atelier("ingest", "--input", photos.toString(), "--output", tmp.resolve("ds").toString(),
                    "--size", "16", "--master", "local[2]");
        } finally {
            atelier.removeAppender("progress-capture");
            ctx.updateLoggers();
            capture.stop();
            if (old == null) {
                System.clearProperty("atelier.progress");
            } else {
                System.setProperty("atelier.progress", old);
            }
        }
        assertEquals(0, r.code(), r.err());
        List<String> progress = log.toString().lines().filter(l -> l.startsWith("io.atelier.ingest ")).toList();
        assertFalse(progress.isEmpty(), "no progress logged under io.atelier.ingest; log: " + log);
        String last = progress.get(progress.size() - 1);
        assertTrue(last.matches("io\\.atelier\\.ingest 12(/12 img \\(100%\\)| img), [0-9.]+ img/s, accepted 12, quarantined 0"),
                "last progress line: " + last);
        assertFalse((r.out() + r.err() + log).contains("\r"), "a carriage return reached the output");
    }
}
