package io.atelier.jobs;

import io.atelier.common.data.ingest.IngestProgress;

/** An ingest's progress as {@link JobProgress} shows it: a bar on a terminal, plain log lines elsewhere. */
final class ConsoleProgress implements IngestProgress, AutoCloseable {
    private final JobProgress progress;

    ConsoleProgress(String task) {
        this.progress = JobProgress.of(task, "img");
    }

    @Override
    public void update(long seen, long accepted, long quarantined, long expected) {
        progress.update(seen, expected, "accepted " + accepted + ", quarantined " + quarantined);
    }

    @Override
    public void notice(String line) {
        progress.notice(line);
    }

    @Override
    public void decoded(long in) {
        close();
        System.out.println("decoded " + in + " inputs; de-duplicating and writing shards ...");
    }

    @Override
    public void close() {
        progress.close();
    }
}
