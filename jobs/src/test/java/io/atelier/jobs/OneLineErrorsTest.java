package io.atelier.jobs;

import io.atelier.common.compute.NativeMemory;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a command prints, and its exit code, when a task of its Spark job failed. */
class OneLineErrorsTest {

    @CommandLine.Command(name = "generate")
    static final class FailingJob implements Callable<Integer> {
        final Exception failure;

        FailingJob(Exception failure) {
            this.failure = failure;
        }

        @Override
        public Integer call() throws Exception {
            throw failure;
        }
    }

    @Test
    void aNativeMemoryLimitInATaskIsOneLineAndExitCode1() {
        OutOfMemoryError javacpp = new OutOfMemoryError("Cannot allocate new LongPointer(1): totalBytes = 0, physicalBytes = 1336M");
        javacpp.initCause(new OutOfMemoryError("Physical memory usage is too high: physicalBytes (1336M) > maxPhysicalBytes (900M)"));
        RuntimeException limit = assertThrows(NativeMemory.LimitReachedException.class, () -> NativeMemory.guard(() -> {
            throw javacpp;
        }));
        // as the driver receives it: Spark's job failure, its message holding the task's stack trace
        SparkException job = new SparkException("Job aborted due to stage failure: Task 0 in stage 1.0 failed 1 times,"
                + " most recent failure: Lost task 0.0 (TID 1) (executor 0): " + limit + "\n\tat somewhere", limit);

        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new FailingJob(job)).setExecutionExceptionHandler(new OneLineErrors());
        cli.setErr(new PrintWriter(err, true));
        assertEquals(1, cli.execute());
        String first = err.toString().lines().findFirst().orElseThrow();
        assertEquals("atelier generate: failed: " + limit.getMessage(), first);
        assertTrue(first.contains("(Physical memory usage is too high: physicalBytes (1336M) > maxPhysicalBytes (900M)):"
                + " give the driver JVM more memory"), first);
    }
}
