package io.atelier.common.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigsTest {
    record Settings(int rounds, double lr, String model) {
        Settings {
            if (rounds < 1) {
                throw new IllegalArgumentException("rounds must be at least 1, got " + rounds);
            }
        }
    }

    static final Settings DEFAULTS = new Settings(10, 2e-4, "dcgan");

    @TempDir
    Path tmp;

    @Test
    void flagsOverrideTheFileWhichOverridesDefaults() throws Exception {
        Path file = tmp.resolve("c.json");
        Files.writeString(file, "{\"rounds\": 30, \"lr\": 0.001}");
        Map<String, Object> flags = new HashMap<>();
        flags.put("rounds", 50);
        flags.put("lr", null); // not given on the command line
        Settings s = Configs.resolve(Settings.class, DEFAULTS, file.toString(), flags);
        assertEquals(new Settings(50, 0.001, "dcgan"), s);
        assertEquals(DEFAULTS, Configs.resolve(Settings.class, DEFAULTS, null, Map.of()));
    }

    @Test
    void unknownKeyInFileNamesTheKnownOnes() throws Exception {
        Path file = tmp.resolve("typo.json");
        Files.writeString(file, "{\"round\": 30}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Configs.resolve(Settings.class, DEFAULTS, file.toString(), Map.of()));
        assertTrue(e.getMessage().contains("unknown setting 'round'") && e.getMessage().contains("rounds"), e.getMessage());
    }

    @Test
    void invalidValueReportsTheRecordsOwnMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Configs.resolve(Settings.class, DEFAULTS, null, Map.of("rounds", 0)));
        assertEquals("rounds must be at least 1, got 0", e.getMessage());
    }

    record Named(int localSteps) {
        Named {
            if (localSteps < 1) {
                throw new InvalidSettingException("{localSteps} " + localSteps + ": use at least 1");
            }
        }
    }

    @Test
    void aRecordsInvalidSettingKeepsTheSettingsItNames() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> Configs.resolve(Named.class, new Named(1), null, Map.of("localSteps", 0)));
        assertEquals("localSteps 0: use at least 1", e.getMessage());
        assertEquals(java.util.List.of("localSteps"), e.settings());
        assertEquals("--local-steps 0: use at least 1", e.message(name -> "--local-steps"));
    }

    @Test
    void valuesOfTheWrongTypeAreRefusedNotCoerced() throws Exception {
        for (String json : new String[]{"{\"rounds\": 1.9}", "{\"rounds\": \"1\"}", "{\"lr\": \"0.1\"}", "{\"rounds\": true}"}) {
            Path file = tmp.resolve("wrong.json");
            Files.writeString(file, json);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Configs.resolve(Settings.class, DEFAULTS, file.toString(), Map.of()), json);
            assertTrue(e.getMessage().startsWith("invalid settings (with config " + file + "): '"), e.getMessage());
            assertTrue(e.getMessage().contains(" must be ") && !e.getMessage().contains("\n"), e.getMessage());
        }
        Path file = Files.writeString(tmp.resolve("fraction.json"), "{\"rounds\": 1.9}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Configs.resolve(Settings.class, DEFAULTS, file.toString(), Map.of()));
        assertEquals("invalid settings (with config " + file + "): 'rounds' must be a whole number (int), got 1.9",
                e.getMessage());
        Path whole = tmp.resolve("whole.json");
        Files.writeString(whole, "{\"lr\": 1, \"rounds\": 3}");
        assertEquals(new Settings(3, 1.0, "dcgan"), Configs.resolve(Settings.class, DEFAULTS, whole.toString(), Map.of()));
    }
}
