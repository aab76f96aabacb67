package io.atelier.common.translate;

import io.atelier.common.families.cyclegan.CycleGanConfig;
import io.atelier.common.families.cyclegan.CycleGanRun;
import io.atelier.common.families.cyclegan.CycleGanTranslator.Direction;
import io.atelier.common.stylize.StyleSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** What a translation's parameters hash covers: what decides its pixels, and nothing else. */
class TranslateJobTest {
    private static final String SHA = "a".repeat(64);

    private static CycleGanRun run(String dir, int channels, String checkpointSha256) {
        CycleGanConfig config = new CycleGanConfig(12, channels, 4, 1, 4, 2, List.of("top"), List.of("bottom"),
                List.of(0), List.of(2), 2, 2e-3, 0.5, 0.999, 10, 0.5, 2, 1, 2, 1);
        return new CycleGanRun(dir, config, 2, checkpointSha256);
    }

    @Test
    void theHashFollowsCheckpointDirectionAndChannelsButNotWhereTheRunLives() {
        StyleSpec a2b = TranslateJob.spec(run("runs/cg", 1, SHA), Direction.A_TO_B);
        assertEquals(a2b.paramsHash(), TranslateJob.spec(run("runs/cg", 1, SHA), Direction.A_TO_B).paramsHash());
        assertEquals(a2b.paramsHash(), TranslateJob.spec(run("moved/cg", 1, SHA), Direction.A_TO_B).paramsHash(),
                "a run copied elsewhere translates the same");
        assertNotEquals(a2b.paramsHash(), TranslateJob.spec(run("runs/cg", 1, SHA), Direction.B_TO_A).paramsHash());
        assertNotEquals(a2b.paramsHash(), TranslateJob.spec(run("runs/cg", 1, "b".repeat(64)), Direction.A_TO_B)
                .paramsHash(), "a newer checkpoint's translations are new rows");
        assertNotEquals(a2b.paramsHash(), TranslateJob.spec(run("runs/cg", 3, SHA), Direction.A_TO_B).paramsHash());

        assertEquals("a2b", a2b.id());
        assertEquals("cyclegan", a2b.method());
        assertEquals(1, a2b.channels());
        assertEquals(List.of("top"), a2b.about().get("from"));
        assertEquals(List.of("bottom"), a2b.about().get("to"));
        assertEquals("runs/cg", a2b.about().get("run"));
        assertEquals(2, a2b.about().get("checkpointRound"));
        StyleSpec b2a = TranslateJob.spec(run("runs/cg", 3, SHA), Direction.B_TO_A);
        assertEquals(List.of("bottom"), b2a.about().get("from"));
        assertEquals(3, b2a.channels());
    }
}
