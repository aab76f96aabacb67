package io.atelier.common.stylize;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StylizeTaskTest {

    @Test
    void pngNamesKeepTheInputsRelativePathInsideThePngDirectory() {
        assertEquals("./photos/cat.png", StylizeTask.pngName("photos/cat.jpg"));
        assertEquals("./README.png", StylizeTask.pngName("README"));
        // An archive entry that tried to climb out of --png-dir (it overwrote a file outside before).
        assertEquals("./__/__/__/__/victim.png", StylizeTask.pngName("../../../../victim.png"));
        assertEquals("./etc/passwd.png", StylizeTask.pngName("/etc/passwd"));
        assertEquals("./__.png", StylizeTask.pngName(".."));
    }
}
