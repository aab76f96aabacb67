package io.atelier.common.io;

import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafePathsTest {

    @Test
    void namesFromInputDataStayInsideTheirDirectory() {
        String[] hostile = {"../../../../victim.png", "/etc/passwd", "a/./b/../../../c.jpg", "..\\..\\win.png", "..",
                "", "a\nb/c.png", "./././x"};
        Path out = new Path("/data/out/png");
        for (String name : hostile) {
            String safe = SafePaths.confined(name);
            Path resolved = new Path(out, safe);
            assertTrue(resolved.toString().startsWith("/data/out/png/"), name + " -> " + resolved);
            assertTrue(!safe.contains("..") || safe.contains("__"), name + " -> " + safe);
            for (String segment : safe.split("/")) {
                assertTrue(!segment.equals("..") && !segment.equals(".") && !segment.isEmpty(), name + " -> " + safe);
            }
        }
        assertEquals("__/__/__/__/victim.png", SafePaths.confined("../../../../victim.png"));
        assertEquals("etc/passwd", SafePaths.confined("/etc/passwd"));
        assertEquals("a/b/__/__/__/c.jpg", SafePaths.confined("a/./b/../../../c.jpg"));
        assertEquals("a_b/c.png", SafePaths.confined("a\nb/c.png"));
        assertEquals("photos/cat.jpg", SafePaths.confined("photos/cat.jpg"), "ordinary names are unchanged");
    }

    @Test
    void aLabelBecomesOneSegmentThatCannotClimb() {
        assertEquals("_..", SafePaths.segment(".."));
        assertEquals("_.", SafePaths.segment("."));
        assertEquals("_", SafePaths.segment(""));
        assertEquals("_etc_passwd", SafePaths.segment("/etc/passwd"));
        assertEquals("Ankle_boot", SafePaths.segment("Ankle boot"));
        assertEquals("T-shirt_top", SafePaths.segment("T-shirt/top"));
    }
}
