package io.atelier.jobs;

import io.atelier.common.classify.ClassifierOptions;
import io.atelier.common.data.ingest.IngestSettings;
import io.atelier.common.embed.EmbedSettings;
import io.atelier.common.families.dcgan.DcganSettings;
import io.atelier.common.families.diffusion.DiffusionSettings;
import io.atelier.common.io.InvalidSettingException;
import io.atelier.common.scoring.TrainingEvaluation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsOptionsTest {

    private static CommandLine withSettings(Object command) {
        CommandLine cli = new CommandLine(command);
        SettingsOptions.Command<?> c = (SettingsOptions.Command<?>) command;
        add(cli, c);
        return cli;
    }

    private static <T extends Record> void add(CommandLine cli, SettingsOptions.Command<T> c) {
        SettingsOptions.addTo(cli.getCommandSpec(), c);
    }

    @Test
    void aTrainerAndItsEvaluationShareOneConfigFileAndItsFlags(@TempDir Path tmp) throws IOException {
        Path config = Files.writeString(tmp.resolve("gan.json"),
                "{\"data\": \"d\", \"out\": \"o\", \"rounds\": 3, \"evalEvery\": 2, \"evalCount\": 50}");
        TrainGanCommand command = new TrainGanCommand();
        CommandLine cli = withSettings(command);
        cli.parseArgs("--eval-seed", "7", "--local-steps", "4");
        DcganSettings s = (DcganSettings) SettingsOptions.resolve(cli.getCommandSpec(), command, config.toString());
        TrainingEvaluation e = SettingsOptions.resolveSection(cli.getCommandSpec(), command, TrainingEvaluation.DEFAULTS,
                config.toString());
        assertEquals(3, s.rounds());
        assertEquals(4, s.localSteps());
        assertEquals(new TrainingEvaluation(2, null, 50, 7L, TrainingEvaluation.DEFAULTS.evalFeatures()), e);

        Path typo = Files.writeString(tmp.resolve("typo.json"), "{\"evalEvry\": 2}");
        for (java.util.function.Supplier<Record> resolve : List.<java.util.function.Supplier<Record>>of(
                () -> SettingsOptions.resolve(cli.getCommandSpec(), command, typo.toString()),
                () -> SettingsOptions.resolveSection(cli.getCommandSpec(), command, TrainingEvaluation.DEFAULTS,
                        typo.toString()))) {
            InvalidSettingException unknown = assertThrows(InvalidSettingException.class, resolve::get);
            assertTrue(unknown.getMessage().contains("unknown setting 'evalEvry'; known settings: [")
                    && unknown.getMessage().contains("evalEvery") && unknown.getMessage().contains("localSteps"),
                    unknown.getMessage());
        }
    }

    @Test
    void anEvaluationErrorNamesTheTrainersFlags() {
        CommandLine cli = withSettings(new TrainDiffusionCommand());
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> new TrainingEvaluation(null, "real", 100, 1L, "random").evaluation(null, "train", line -> { }));
        assertEquals("--eval-data needs --eval-every N", e.message(name -> SettingsOptions.flagOf(cli.getCommandSpec(), name)));
        InvalidSettingException count = assertThrows(InvalidSettingException.class,
                () -> new TrainingEvaluation(5, null, 1, 1L, "random"));
        assertEquals("--eval-count 1: use at least 2 images", count.message(SettingsOptions::flag));
    }

    @Test
    void everySettingHasAKebabCaseFlagWithItsDefaultInTheHelp() {
        CommandLine cli = withSettings(new TrainDiffusionCommand());
        for (RecordComponent c : DiffusionSettings.class.getRecordComponents()) {
            assertNotNull(cli.getCommandSpec().findOption(SettingsOptions.flag(c.getName())), c.getName());
        }
        String help = cli.getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");
        assertTrue(help.contains("--local-steps=K"), help);
        assertTrue(help.contains("Optimizer steps per worker between averagings K. (default: 10)"), help);
        assertTrue(help.contains("--[no-]attention"), help);
        assertTrue(help.contains("(default: 0.0005)"), "the learning rate 5e-4 shown plainly: " + help);
        assertTrue(help.contains("--resume Continue from the latest complete checkpoint. --"), "a switch that is off shows no default: " + help);
    }

    @Test
    void givenFlagsOverrideTheDefaultsAndTheRestStay() {
        TrainDiffusionCommand command = new TrainDiffusionCommand();
        CommandLine cli = withSettings(command);
        cli.parseArgs("--no-attention", "--local-steps", "3", "--data", "d", "--out", "o");
        DiffusionSettings s = SettingsOptions.resolve(cli.getCommandSpec(), DiffusionSettings.class,
                DiffusionSettings.DEFAULTS, null);
        assertFalse(s.attention());
        assertEquals(3, s.localSteps());
        assertEquals("d", s.data());
        assertEquals(DiffusionSettings.DEFAULTS.rounds(), s.rounds());
        assertEquals(DiffusionSettings.DEFAULTS.lr(), s.lr());
    }

    @Test
    void aValueOfTheWrongTypeIsAParseError() {
        CommandLine cli = withSettings(new TrainGanCommand());
        assertThrows(CommandLine.ParameterException.class, () -> cli.parseArgs("--rounds", "1.9"));
        cli.parseArgs("--conditional", "--generator-width", "32");
        DcganSettings s = SettingsOptions.resolve(cli.getCommandSpec(), DcganSettings.class, DcganSettings.DEFAULTS, null);
        assertTrue(s.conditional());
        assertEquals(32, s.generatorWidth());
    }

    @Test
    void aConfigValueOfTheWrongTypeIsOneLineNamingTheKeyAndTheType(@TempDir Path tmp) throws IOException {
        String[][] cases = {
                {"{\"rounds\": 1.9}", "'rounds' must be a whole number (int), got 1.9"},
                {"{\"localSteps\": \"1\"}", "'localSteps' must be a whole number (int), got \"1\""},
                {"{\"lr\": \"0.001\"}", "'lr' must be a number (double), got \"0.001\""},
                {"{\"conditional\": 1}", "'conditional' must be true or false, got 1"},
        };
        for (String[] c : cases) {
            Path config = Files.writeString(tmp.resolve("gan.json"), c[0]);
            CommandLine cli = withSettings(new TrainGanCommand());
            cli.parseArgs("--data", "d", "--out", "o");
            InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> SettingsOptions.resolve(
                    cli.getCommandSpec(), DcganSettings.class, DcganSettings.DEFAULTS, config.toString()), c[0]);
            assertEquals("invalid settings (with --config " + config + "): " + c[1],
                    e.message(setting -> SettingsOptions.flagOf(cli.getCommandSpec(), setting)));
        }
    }

    @Test
    void aConfigFileUsesTheFlagsInCamelCase(@TempDir Path tmp) throws IOException {
        Path config = Files.writeString(tmp.resolve("classifier.json"),
                "{\"data\": \"d\", \"out\": \"m.zip\", \"averaging\": 3, \"testData\": \"t\", \"epochs\": 7}");
        CommandLine cli = withSettings(new TrainClassifierCommand());
        cli.parseArgs("--epochs", "2");
        ClassifierOptions o = SettingsOptions.resolve(cli.getCommandSpec(), ClassifierOptions.class,
                ClassifierOptions.DEFAULTS, config.toString());
        assertEquals("m.zip", o.out());
        assertEquals(3, o.averaging());
        assertEquals("t", o.testData());
        assertEquals(2, o.epochs(), "the flag given overrides the file");
        assertEquals(ClassifierOptions.DEFAULTS.batch(), o.batch(), "neither: the default");
    }

    @Test
    void aSettingWithoutADefaultStaysUnsetUnlessGiven() {
        CommandLine cli = withSettings(new TrainClassifierCommand());
        cli.parseArgs("--data", "d", "--out", "m.zip", "--learning-rate", "0.01", "--epochs", "3");
        ClassifierOptions constant = SettingsOptions.resolve(cli.getCommandSpec(), ClassifierOptions.class,
                ClassifierOptions.DEFAULTS, null);
        assertNull(constant.finalLearningRate());
        assertEquals(0.01, constant.learningRate(3), 1e-12, "no --final-learning-rate: the rate given, constant");
        CommandLine falling = withSettings(new TrainClassifierCommand());
        falling.parseArgs("--data", "d", "--out", "m.zip", "--learning-rate", "0.01", "--final-learning-rate", "0.0001",
                "--epochs", "3");
        ClassifierOptions o = SettingsOptions.resolve(falling.getCommandSpec(), ClassifierOptions.class,
                ClassifierOptions.DEFAULTS, null);
        assertEquals(0.001, o.learningRate(2), 1e-12, "geometric between the first and the last epoch");
        assertEquals(0.0001, o.lastLearningRate());
    }

    @Test
    void aListTakesCommaSeparatedValuesAsOftenAsGiven() {
        CommandLine cli = withSettings(new EmbedCommand());
        cli.parseArgs("--input", "i", "--out", "o", "--layer", "conv1,conv2", "--layer", "conv3");
        EmbedSettings s = SettingsOptions.resolve(cli.getCommandSpec(), EmbedSettings.class, EmbedSettings.DEFAULTS, null);
        assertEquals(List.of("conv1", "conv2", "conv3"), s.layer());
        CommandLine none = withSettings(new EmbedCommand());
        none.parseArgs("--input", "i", "--out", "o");
        assertEquals(List.of(), SettingsOptions.resolve(none.getCommandSpec(), EmbedSettings.class,
                EmbedSettings.DEFAULTS, null).layer());
    }

    @Test
    void aListFromTheConfigFileStaysUnlessTheFlagIsGiven(@TempDir Path tmp) throws IOException {
        Path config = Files.writeString(tmp.resolve("embed.json"), "{\"layer\": [\"mixed5\"], \"batch\": 4}");
        CommandLine cli = withSettings(new EmbedCommand());
        cli.parseArgs("--input", "i", "--out", "o");
        EmbedSettings s = SettingsOptions.resolve(cli.getCommandSpec(), EmbedSettings.class, EmbedSettings.DEFAULTS,
                config.toString());
        assertEquals(List.of("mixed5"), s.layer());
        assertEquals(4, s.batch());
        CommandLine flag = withSettings(new EmbedCommand());
        flag.parseArgs("--input", "i", "--out", "o", "--layer", "conv3");
        assertEquals(List.of("conv3"), SettingsOptions.resolve(flag.getCommandSpec(), EmbedSettings.class,
                EmbedSettings.DEFAULTS, config.toString()).layer());
    }

    @Test
    void aListWithAnArityTakesSeveralValuesAfterOneFlag() {
        CommandLine cli = withSettings(new IngestCommand());
        cli.parseArgs("--input", "a", "b", "--output", "o", "--size", "16", "--label-names", "cat,dog");
        IngestSettings s = SettingsOptions.resolve(cli.getCommandSpec(), IngestSettings.class, IngestSettings.DEFAULTS, null);
        assertEquals(List.of("a", "b"), s.input());
        assertEquals(List.of("cat", "dog"), s.options().labelNames());
        assertEquals(16, s.options().size());
        assertEquals(0.1, s.options().testFraction());
    }

    @Test
    void aSubcommandResolvesTheFlagsGivenAfterItsName() {
        CommandLine atelier = AtelierCli.commandLine();
        atelier.parseArgs("train-classifier", "--data", "d", "--out", "m.zip", "--epochs", "5", "--flip");
        CommandLine sub = atelier.getSubcommands().get("train-classifier");
        ClassifierOptions o = SettingsOptions.resolve(sub.getCommandSpec(), ClassifierOptions.class,
                ClassifierOptions.DEFAULTS, null);
        assertEquals(5, o.epochs());
        assertTrue(o.flip());
        assertEquals(ClassifierOptions.DEFAULTS.batch(), o.batch());
    }

    @Test
    void everyCommandTakesItsSettingsFromOneRecordAndShowsEveryFlagInItsHelp() {
        List<String> generated = new java.util.ArrayList<>();
        checkGenerated(AtelierCli.commandLine(), generated);
        assertEquals(List.of("ingest", "inspect", "train-gan", "train-diffusion", "generate", "embed", "stylize", "translate",
                "project", "train-style", "train-classifier", "evaluate", "prompt-fidelity", "quickstart", "bench ingest", "bench gan-step",
                "bench diffusion-step", "bench cyclegan-step", "bench stylegan-step", "bench sample", "bench scaling",
                "bench evaluate", "bench stylize", "bench stylize-rerun", "bench generate-load", "bench ingest-load"), generated);
    }

    /** Every command that runs something (one without subcommands of its own) has a settings record. */
    private static void checkGenerated(CommandLine parent, List<String> generated) {
        for (CommandLine command : parent.getSubcommands().values()) {
            String name = command.getCommandSpec().qualifiedName(" ").replaceFirst("^atelier ", "");
            if (!command.getSubcommands().isEmpty()) {
                checkGenerated(command, generated);
                continue;
            }
            if (!(command.getCommand() instanceof SettingsOptions.Command<?> c)) {
                throw new AssertionError(name + " takes flags that no settings record describes");
            }
            generated.add(name);
            String help = command.getUsageMessage(CommandLine.Help.Ansi.OFF);
            List<RecordComponent> components = new java.util.ArrayList<>(List.of(c.settingsType().getRecordComponents()));
            c.sections().forEach(section -> components.addAll(List.of(section.getClass().getRecordComponents())));
            for (RecordComponent component : components) {
                String flag = SettingsOptions.flag(component);
                boolean shown = help.contains(flag + " ") || help.contains(flag + "=") || help.contains("--[no-]" + flag.substring(2));
                assertTrue(shown, name + " help lacks " + flag + ": " + help);
            }
            assertNotNull(command.getCommandSpec().findOption("--config"), name + " has --config");
        }
    }

    @Test
    void flagNamesAreTheComponentsInKebabCase() {
        assertEquals("--local-steps", SettingsOptions.flag("localSteps"));
        assertEquals("--ema-decay", SettingsOptions.flag("emaDecay"));
        assertEquals("--lr", SettingsOptions.flag("lr"));
    }
}
