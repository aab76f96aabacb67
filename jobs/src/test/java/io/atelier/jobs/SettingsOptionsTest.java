package io.atelier.jobs;

import io.atelier.common.families.dcgan.DcganSettings;
import io.atelier.common.families.diffusion.DiffusionSettings;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.lang.reflect.RecordComponent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
        SettingsOptions.addTo(cli.getCommandSpec(), c.settingsType(), c.defaults());
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
    void flagNamesAreTheComponentsInKebabCase() {
        assertEquals("--local-steps", SettingsOptions.flag("localSteps"));
        assertEquals("--ema-decay", SettingsOptions.flag("emaDecay"));
        assertEquals("--lr", SettingsOptions.flag("lr"));
    }
}
