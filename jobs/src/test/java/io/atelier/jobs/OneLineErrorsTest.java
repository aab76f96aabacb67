package io.atelier.jobs;

import io.atelier.common.classify.ClassifierOptions;
import io.atelier.common.compute.NativeMemory;
import io.atelier.common.io.Configs;
import io.atelier.common.io.InvalidSettingException;
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

    @Test
    void aSettingErrorFromTheLibraryIsPrintedWithTheCommandsFlag() {
        String[] args = {"train-classifier", "--data", "d", "--out", "m.zip", "--stage-dropout", "0.9"};
        // the library names the setting as a config file or a notebook writes it ...
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> Configs.resolve(
                ClassifierOptions.class, ClassifierOptions.DEFAULTS, null, java.util.Map.of("stageDropout", 0.9)));
        assertTrue(e.getMessage().startsWith("stageDropout 0.9: give a share from 0 to "), e.getMessage());
        // ... and the command line prints its flag, before any Spark session is made
        AtelierCliTest.Result r = AtelierCliTest.atelier(args);
        assertEquals(2, r.code(), r.err());
        assertEquals("atelier train-classifier: --stage-dropout 0.9: give a share from 0 to "
                + ClassifierOptions.MAX_STAGE_DROPOUT + " of each stage's activations to drop while training",
                r.err().lines().findFirst().orElseThrow());
    }

    @CommandLine.Command(name = "wait")
    static final class WithDeclaredOption implements Callable<Integer> {
        @CommandLine.Option(names = "--wait-for-lease")
        long waitSeconds;

        @Override
        public Integer call() {
            throw new InvalidSettingException("{waitSeconds} " + waitSeconds + ": wait 0 seconds or more, or leave"
                    + " {waitSeconds} off with {localSteps} 1");
        }
    }

    @Test
    void aSettingDeclaredOnTheCommandIsPrintedWithItsFlagAndOthersByTheGeneratedName() {
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new WithDeclaredOption()).setExecutionExceptionHandler(new OneLineErrors());
        cli.setErr(new PrintWriter(err, true));
        assertEquals(2, cli.execute("--wait-for-lease", "-1"));
        assertEquals("atelier wait: --wait-for-lease -1: wait 0 seconds or more, or leave --wait-for-lease off with"
                + " --local-steps 1", err.toString().lines().findFirst().orElseThrow());
    }

    @Test
    void helpNamesOtherSettingsByTheirFlags() {
        String help = AtelierCli.commandLine().getSubcommands().get("train-classifier")
                .getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");
        assertTrue(help.contains("with train and test splits unless --test-data is given"), help);
        assertTrue(!help.contains("{"), help);
    }
}
