package io.atelier.jobs;

import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.parquet.hadoop.ParquetOutputCommitter;

import java.io.IOException;

/**
 * Parquet's committer, except that the tasks of partitions at or after {@link #FROM_PARTITION}
 * fail as they start: a run killed midway, for resumption tests. Spark uses it where the session
 * sets {@code spark.sql.parquet.output.committer.class} to this class ({@link #CONF}).
 */
public final class FailingCommitter extends ParquetOutputCommitter {
    static final String CONF = "spark.sql.parquet.output.committer.class";
    static volatile int FROM_PARTITION = Integer.MAX_VALUE;

    public FailingCommitter(Path output, TaskAttemptContext context) throws IOException {
        super(output, context);
    }

    @Override
    public void setupTask(TaskAttemptContext context) throws IOException {
        int partition = context.getTaskAttemptID().getTaskID().getId();
        if (partition >= FROM_PARTITION) {
            throw new IOException("injected failure in partition " + partition + " (a run killed midway)");
        }
        super.setupTask(context);
    }
}
