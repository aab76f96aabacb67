package io.atelier.jobs;

import io.atelier.common.Versions;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * {@code atelier <command>}: every job, runnable on an embedded local Spark (bin/atelier) or
 * under {@code spark-submit --class io.atelier.jobs.AtelierCli atelier-jobs.jar <command>}.
 */
@Command(name = "atelier", mixinStandardHelpOptions = true, versionProvider = AtelierCli.Version.class,
        description = "Train and run generative image models on Apache Spark.",
        subcommands = {IngestCommand.class, InspectCommand.class, TrainGanCommand.class, TrainDiffusionCommand.class,
                GenerateCommand.class, EmbedCommand.class, StylizeCommand.class, TrainStyleCommand.class,
                TrainClassifierCommand.class, EvaluateCommand.class, QuickstartCommand.class,
                BenchCommand.class})
public final class AtelierCli implements Runnable {

    /**
     * Exits with the command's code, except in a cluster-mode driver (see {@link ExitPolicy}): there
     * it returns on success and throws {@link org.apache.spark.SparkUserAppException} with the code
     * on failure, so that YARN's ApplicationMaster records the final status itself.
     */
    public static void main(String[] args) throws org.apache.spark.SparkUserAppException {
        ExitPolicy.forThisJvm().finish(run(args));
    }

    /** Runs a command line and returns its exit code (0 ok, 1 failed, 2 bad input or usage). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The command line with every subcommand's flags, generated ones included, and one-line errors. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new AtelierCli());
        cli.getSubcommands().values().forEach(AtelierCli::addSettingsOptions);
        cli.setExecutionExceptionHandler(new OneLineErrors());
        return cli;
    }

    /** A command whose flags come from a settings record gets them before anything is parsed. */
    private static void addSettingsOptions(CommandLine command) {
        if (command.getCommand() instanceof SettingsOptions.Command<?> withSettings) {
            add(command, withSettings);
        }
    }

    private static <T extends Record> void add(CommandLine command, SettingsOptions.Command<T> withSettings) {
        SettingsOptions.addTo(command.getCommandSpec(), withSettings.settingsType(), withSettings.defaults());
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"atelier " + Versions.atelier() + " " + Versions.all()};
        }
    }
}
