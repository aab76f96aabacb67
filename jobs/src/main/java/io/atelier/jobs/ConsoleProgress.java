package io.atelier.jobs;

import io.atelier.common.data.ingest.IngestProgress;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Console progress for ingest-like jobs: count, rate and ETA through the progressbar library. */
final class ConsoleProgress implements IngestProgress, AutoCloseable {
    private final String task;
    private ProgressBar bar; // drawn from the first update, so notices before it print on lines of their own
    private boolean closed;

    ConsoleProgress(String task) {
        this.task = task;
    }

    @Override
    public synchronized void update(long seen, long accepted, long quarantined, long expected) {
        if (closed) {
            return;
        }
        if (bar == null) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(-1).setUnit(" img", 1)
                    .setStyle(ProgressBarStyle.ASCII).showSpeed().setUpdateIntervalMillis(1000)
                    .setMaxRenderedLength(110).continuousUpdate().build();
        }
        if (expected > 0 && bar.getMax() != expected) {
            bar.maxHint(expected);
        }
        bar.stepTo(seen);
        bar.setExtraMessage(" accepted " + accepted + ", quarantined " + quarantined);
    }

    @Override
    public synchronized void notice(String line) {
        System.out.println(line);
    }

    @Override
    public void decoded(long in) {
        close();
        System.out.println("decoded " + in + " inputs; de-duplicating and writing shards ...");
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            if (bar != null) {
                bar.close();
            }
        }
    }
}
