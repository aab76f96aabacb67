package io.atelier.jobs;

import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.io.OutputLease;
import io.atelier.common.train.TrainingDivergedException;
import picocli.CommandLine;

import java.io.UncheckedIOException;

/**
 * Turns a failed command into one line that names the problem: bad input (exit 2) or a failure
 * (exit 1). The stack trace follows only with ATELIER_DEBUG=1, where it helps a developer. An
 * invalid setting named in the library's terms ({@code localSteps}) is printed with the command's
 * flag for it ({@code --local-steps}).
 */
final class OneLineErrors implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        Throwable cause = rootCause(e);
        // Another run holding the output's lease is, like bad input, the caller's to resolve.
        boolean badInput = cause instanceof IllegalArgumentException || cause instanceof UncheckedIOException
                || cause instanceof java.io.FileNotFoundException || cause instanceof OutputLease.HeldException;
        String command = cli.getCommandName();
        String message = cause instanceof InvalidSettingException invalid
                ? invalid.message(setting -> SettingsOptions.flagOf(cli.getCommandSpec(), setting))
                : cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        cli.getErr().println("atelier " + command + ": " + (badInput ? "" : "failed: ") + firstLine(message));
        if ("1".equals(System.getenv("ATELIER_DEBUG"))) {
            e.printStackTrace(cli.getErr());
        } else if (!badInput && !(cause instanceof TrainingDivergedException)) {
            // A diverged run is the model's numbers, not a fault of the program: its line says what to do.
            cli.getErr().println("(set ATELIER_DEBUG=1 for the stack trace)");
        }
        return badInput ? 2 : 1;
    }

    /** Spark wraps task failures; the useful message is the innermost one. */
    static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            if (t instanceof IllegalArgumentException && !(t.getCause() instanceof IllegalArgumentException)) {
                return t;
            }
            // java.nio's file errors say only the path ("/data/x"); the wrapper says what was being done.
            if (t instanceof UncheckedIOException && t.getCause() instanceof java.nio.file.FileSystemException) {
                return t;
            }
            t = t.getCause();
        }
        return t;
    }

    private static String firstLine(String message) {
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
