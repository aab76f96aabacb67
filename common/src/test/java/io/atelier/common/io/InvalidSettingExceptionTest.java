package io.atelier.common.io;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class InvalidSettingExceptionTest {

    @Test
    void theMessageNamesSettingsAndACommandLineCanNameItsFlags() {
        InvalidSettingException e = new InvalidSettingException(
                "{dataA} and {dataB} are both /d: give two datasets, or one with {data}; see {dataA}");
        assertEquals("dataA and dataB are both /d: give two datasets, or one with data; see dataA", e.getMessage());
        assertEquals(List.of("dataA", "dataB", "data"), e.settings());
        assertEquals("--data-a and --data-b are both /d: give two datasets, or one with --data; see --data-a",
                e.message(name -> "--" + name.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase()));
    }

    @Test
    void onlyBracesAroundOneCamelCaseWordMarkASetting() {
        InvalidSettingException e = new InvalidSettingException("{out} /runs/{a,b}/{Run 1}: no such directory");
        assertEquals("out /runs/{a,b}/{Run 1}: no such directory", e.getMessage());
        assertEquals(List.of("out"), e.settings());
    }

    @Test
    void anotherMessageBuildsOnTheTemplateOfAnInvalidSetting() {
        InvalidSettingException inner = new InvalidSettingException("{size} 3: use 8..4096 pixels");
        assertEquals("{size} 3: use 8..4096 pixels", InvalidSettingException.templateOf(inner));
        assertEquals("plain", InvalidSettingException.templateOf(new IllegalStateException("plain")));
    }

    @Test
    void aMessageWithoutBracesNamesNoSettingAndReadsAsWritten() {
        InvalidSettingException e = new InvalidSettingException("--eval-count 1: use at least 2 images");
        assertEquals(List.of(), e.settings());
        assertEquals("--eval-count 1: use at least 2 images", e.message(name -> "--" + name));
    }
}
