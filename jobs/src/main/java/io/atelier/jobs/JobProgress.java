package io.atelier.jobs;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A job's progress (count, rate, ETA). On a terminal a bar redrawn in place; anywhere else (YARN or
 * Kubernetes container logs, cron mail, output piped to a file), where every redraw's carriage
 * return would pile up in one unreadable line, one plain line at most every {@link #PLAIN_INTERVAL},
 * logged through log4j under the logger {@code io.atelier.<job>}, plus a last line when it closes.
 * {@code ATELIER_PROGRESS=plain|bar} (or {@code -Datelier.progress}) overrides the choice.
 */
final class JobProgress implements AutoCloseable {
    static final Duration PLAIN_INTERVAL = Duration.ofSeconds(5);

    enum Mode {
        BAR, PLAIN;

        /** The property wins over the environment; without either, a bar only where a console is attached. */
        static Mode of(String property, String env, boolean console) {
            String chosen = property != null ? property : env;
            if (chosen == null || chosen.isBlank()) {
                return console ? BAR : PLAIN;
            }
            return switch (chosen.trim().toLowerCase(Locale.ROOT)) {
                case "plain" -> PLAIN;
                case "bar" -> BAR;
                default -> throw new IllegalArgumentException("ATELIER_PROGRESS=" + chosen
                        + ": use plain (one line every few seconds) or bar (redrawn on a terminal)");
            };
        }

        static Mode ofThisJvm() {
            return of(System.getProperty("atelier.progress"), System.getenv("ATELIER_PROGRESS"), System.console() != null);
        }
    }

    private final String job;
    private final String unit;
    private final Mode mode;
    private final Consumer<String> lines;
    private final LongSupplier nanoClock;
    private final long start;
    private final long intervalNanos;
    private ProgressBar bar; // built on the first update, so notices before it print on lines of their own
    private long lastLine = Long.MIN_VALUE;
    private String pending; // the newest plain line not yet written
    private boolean closed;

    private JobProgress(String job, String unit, Mode mode, Consumer<String> lines, LongSupplier nanoClock, Duration interval) {
        this.job = job;
        this.unit = unit;
        this.mode = mode;
        this.lines = lines;
        this.nanoClock = nanoClock;
        this.start = nanoClock.getAsLong();
        this.intervalNanos = interval.toNanos();
    }

    /** Progress of {@code job} counted in {@code unit} (e.g. "img"), shown as this JVM's output allows. */
    static JobProgress of(String job, String unit) {
        org.slf4j.Logger log = LoggerFactory.getLogger("io.atelier." + job);
        return new JobProgress(job, unit, Mode.ofThisJvm(), log::info, System::nanoTime, PLAIN_INTERVAL);
    }

    /** Plain lines into {@code lines} on {@code nanoClock}'s time, for tests. */
    static JobProgress plain(String job, String unit, Consumer<String> lines, LongSupplier nanoClock, Duration interval) {
        return new JobProgress(job, unit, Mode.PLAIN, lines, nanoClock, interval);
    }

    Mode mode() {
        return mode;
    }

    /**
     * {@code done} of {@code total} units ({@code total} -1 when unknown); {@code extra} (may be empty)
     * follows the counts, e.g. "accepted 10, quarantined 1".
     */
    synchronized void update(long done, long total, String extra) {
        if (closed) {
            return;
        }
        if (mode == Mode.BAR) {
            if (bar == null) {
                bar = new ProgressBarBuilder().setTaskName(job).setInitialMax(total > 0 ? total : -1).setUnit(" " + unit, 1)
                        .setStyle(ProgressBarStyle.ASCII).showSpeed().setUpdateIntervalMillis(1000)
                        .setMaxRenderedLength(110).continuousUpdate().build();
            }
            if (total > 0 && bar.getMax() != total) {
                bar.maxHint(total);
            }
            bar.stepTo(done);
            bar.setExtraMessage(extra.isEmpty() ? "" : " " + extra);
            return;
        }
        long now = nanoClock.getAsLong();
        pending = line(done, total, extra, now - start);
        if (lastLine == Long.MIN_VALUE || now - lastLine >= intervalNanos) {
            flush(now);
        }
    }

    /** One line about something besides the counts (a clean-up), on stdout like the job's summaries. */
    synchronized void notice(String line) {
        System.out.println(line);
    }

    /** Ends the bar, or writes the newest counts if the last plain line was older. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (bar != null) {
            bar.close();
        }
        if (pending != null) {
            flush(nanoClock.getAsLong());
        }
    }

    private void flush(long now) {
        lines.accept(pending);
        pending = null;
        lastLine = now;
    }

    /**
     * "300/1000 img (30%), 41.2 img/s, ETA 17s[, extra]": the rate is the average since the job began.
     * No job name: the logger's name is the job's, and log layouts print it ("%c{1}: %m").
     */
    String line(long done, long total, String extra, long elapsedNanos) {
        double seconds = elapsedNanos / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        StringBuilder b = new StringBuilder().append(done);
        if (total > 0) {
            b.append('/').append(total).append(' ').append(unit).append(" (").append(100 * done / total).append("%)");
        } else {
            b.append(' ').append(unit);
        }
        b.append(String.format(Locale.ROOT, ", %.1f %s/s", rate, unit));
        if (total > 0 && done < total && rate > 0) {
            b.append(", ETA ").append(StylizeCommand.format(Duration.ofSeconds((long) Math.ceil((total - done) / rate))));
        }
        if (!extra.isEmpty()) {
            b.append(", ").append(extra);
        }
        return b.toString();
    }
}
