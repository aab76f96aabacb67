package io.atelier.common.runs;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunDirectoryTest {

    @TempDir
    Path tmp;

    @Test
    void aMissingRunDirectoryIsNamedWithWhatToGiveInstead() {
        String missing = tmp.resolve("no-such-run").toString();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunDirectory.existing(missing, new Configuration()));
        assertEquals("run directory " + missing + " does not exist: give the out directory of a training run",
                e.getMessage());
    }

    @Test
    void aNonEmptyDirectoryIsNotTakenForANewRunAndIsLeftAsItWas() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(run.resolve("config.json"), "{}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunDirectory.createNew(run.toString(), new Configuration()));
        assertTrue(e.getMessage().contains("holds config.json"), e.getMessage());
        assertEquals("{}", Files.readString(run.resolve("config.json")));
    }
}
