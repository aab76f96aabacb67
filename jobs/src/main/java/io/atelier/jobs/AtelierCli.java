package io.atelier.jobs;

import io.atelier.common.Versions;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * {@code atelier <command>}: every job, runnable on an embedded local Spark (bin/atelier) or
 * under {@code spark-submit --class io.atelier.jobs.AtelierCli atelier-jobs.jar <command>}.
 */
@Command(name = "atelier", mixinStandardHelpOptions = true, versionProvider = AtelierCli.Version.class,
        description = "Train and run generative image models on Apache Spark.")
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
        CommandLine cli;
        try {
            cli = commandLine(args);
        } catch (IllegalArgumentException e) {
            // A --model train-gan does not train: its flags cannot be made, so nothing is parsed.
            System.err.println("train-gan: " + e.getMessage());
            return 2;
        }
        return cli.execute(args);
    }

    /** The command line with every subcommand's flags, generated ones included, and one-line errors. */
    static CommandLine commandLine(String... args) {
        CommandLine cli = new CommandLine(new AtelierCli());
        // train-gan's flags depend on its --model, so its command object is made for this line.
        boolean trainGan = args.length > 0 && args[0].equals("train-gan");
        for (Object command : new Object[]{new IngestCommand(), new InspectCommand(),
                trainGan ? TrainGanCommand.forArguments(args) : new TrainGanCommand(), new TrainDiffusionCommand(),
                new GenerateCommand(), new EmbedCommand(), new StylizeCommand(), new TranslateCommand(),
                new ProjectCommand(), new TrainStyleCommand(),
                new TrainClassifierCommand(), new EvaluateCommand(), new PromptFidelityCommand(), new QuickstartCommand(),
                new BenchCommand()}) {
            cli.addSubcommand(command);
        }
        cli.getSubcommands().values().forEach(AtelierCli::addSettingsOptions);
        cli.setExecutionExceptionHandler(new OneLineErrors());
        return cli;
    }

    /**
     * A command whose flags come from a settings record gets them before anything is parsed; so do
     * its own subcommands (bench's).
     */
    private static void addSettingsOptions(CommandLine command) {
        if (command.getCommand() instanceof SettingsOptions.Command<?> withSettings) {
            SettingsOptions.addTo(command.getCommandSpec(), withSettings);
        }
        command.getSubcommands().values().forEach(AtelierCli::addSettingsOptions);
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
