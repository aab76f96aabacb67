package io.atelier.jobs;

import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.parquet.hadoop.ParquetOutputCommitter;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Parquet's committer, except that once {@link #failAfter} tasks with output have committed,
 * every later task fails as it starts: a run killed midway, for resumption tests. Spark uses it
 * where the session sets {@link #CONF} to this class.
 */
public final class FailingCommitter extends ParquetOutputCommitter {
    static final String CONF = "spark.sql.parquet.output.committer.class";
    private static final AtomicInteger COMMITTED = new AtomicInteger();
    private static volatile int limit = Integer.MAX_VALUE;

    public FailingCommitter(Path output, TaskAttemptContext context) throws IOException {
        super(output, context);
    }

    /** Counts from zero again; {@code Integer.MAX_VALUE} for no failures. */
    static void failAfter(int tasksWithOutput) {
        COMMITTED.set(0);
        limit = tasksWithOutput;
    }

    @Override
    public void setupTask(TaskAttemptContext context) throws IOException {
        if (COMMITTED.get() >= limit) {
            throw new IOException("injected failure in partition " + context.getTaskAttemptID().getTaskID().getId()
                    + " (a run killed midway)");
        }
        super.setupTask(context);
    }

    @Override
    public void commitTask(TaskAttemptContext context) throws IOException {
        boolean wrote = needsTaskCommit(context); // empty partitions write no file
        super.commitTask(context);
        if (wrote) {
            COMMITTED.incrementAndGet();
        }
    }
}
