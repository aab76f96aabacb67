package io.atelier.common.features;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SameDiffSessionsTest {
    private static final INDArray X = Nd4j.createFromArray(new float[]{1, 2, 3, 4}).reshape(1, 4);

    /** y = sum(((x * w) + 1)^2): a few intermediates, so each pass frees arrays. */
    private static SameDiff graph() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.placeHolder("x", DataType.FLOAT, -1, 4);
        SDVariable w = sd.var("w", Nd4j.createFromArray(new float[]{1, 1, 1, 1}).reshape(1, 4));
        sd.setLossVariables(x.mul(w).add(1).pow(2).sum().rename("y"));
        return sd;
    }

    @Test
    void withoutEndingTheSessionItsFreedSetGrowsWithEveryCall() throws ReflectiveOperationException {
        SameDiff sd = graph();
        sd.output(Map.of("x", X), "y");
        int afterOne = freed(sd).size();
        for (int i = 0; i < 4; i++) {
            sd.output(Map.of("x", X), "y");
        }
        assertTrue(afterOne > 0 && freed(sd).size() >= 5 * afterOne,
                "ND4J's per-thread session keeps every freed id: " + afterOne + " then " + freed(sd).size());
    }

    @Test
    void endingAfterEachCallLeavesNoSessionAndKeepsTheOutputs() {
        SameDiff sd = graph();
        for (int i = 0; i < 5; i++) {
            INDArray y = sd.output(Map.of("x", X), "y").get("y");
            SameDiffSessions.end(sd);
            assertEquals(4 + 9 + 16 + 25, y.getDouble(0), 1e-6, "the output survives the session's end");
            assertTrue(sd.getSessions().isEmpty(), "no session left after call " + i);
        }
    }

    @Test
    void endingAlsoDropsTheGradientFunctionsSession() {
        SameDiff sd = graph();
        for (int i = 0; i < 3; i++) {
            INDArray g = sd.calculateGradients(Map.of("x", X), List.of("w")).get("w");
            SameDiffSessions.end(sd);
            // dy/dw = 2 (x w + 1) x
            assertArrayEquals(new float[]{4, 12, 24, 40}, g.reshape(4).toFloatVector(), 1e-5f);
        }
        assertTrue(sd.getSessions().isEmpty());
        assertTrue(sd.getFunction("grad").getSessions().isEmpty(), "the gradient function's session is gone too");
    }

    @SuppressWarnings("unchecked")
    private static Set<Long> freed(SameDiff sd) throws ReflectiveOperationException {
        InferenceSession s = sd.getSessions().get(Thread.currentThread().getId());
        var f = InferenceSession.class.getDeclaredField("freedArrays");
        f.setAccessible(true);
        return (Set<Long>) f.get(s);
    }
}
