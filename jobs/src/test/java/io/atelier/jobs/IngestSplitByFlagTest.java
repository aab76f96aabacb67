package io.atelier.jobs;

import io.atelier.common.data.ingest.IngestSettings;
import io.atelier.common.data.ingest.SplitBy;
import io.atelier.common.io.InvalidSettingException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code atelier ingest --split-by}: the flag, its default and its help, without starting Spark. */
class IngestSplitByFlagTest {
    private static IngestSettings parse(String... args) {
        IngestCommand command = new IngestCommand();
        CommandLine cli = new CommandLine(command);
        SettingsOptions.addTo(cli.getCommandSpec(), IngestSettings.class, IngestSettings.DEFAULTS);
        cli.parseArgs(args);
        return SettingsOptions.resolve(cli.getCommandSpec(), IngestSettings.class, IngestSettings.DEFAULTS, null);
    }

    @Test
    void splitByNameReachesTheOptionsAndContentIsTheDefault() {
        assertEquals(SplitBy.NAME, parse("--input", "in", "--output", "o", "--size", "64", "--split-by", "name")
                .options().splitBy());
        assertEquals(SplitBy.CONTENT, parse("--input", "in", "--output", "o", "--size", "64").options().splitBy());
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> parse("--input", "in", "--output", "o", "--size", "64", "--split-by", "folder").options());
        assertEquals("unknown --split-by 'folder': use content or name", e.message(SettingsOptions::flag));
    }

    @Test
    void helpListsSplitByWithItsChoicesAndDefault() {
        CommandLine cli = AtelierCli.commandLine().getSubcommands().get("ingest");
        String help = cli.getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");
        assertTrue(help.contains("--split-by=content|name"), help);
        assertTrue(help.contains("(default: content)"), help);
    }
}
