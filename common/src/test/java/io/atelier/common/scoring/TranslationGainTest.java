package io.atelier.common.scoring;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class TranslationGainTest {
    @Test
    void theGainIsTheMeanPairedDifferenceWithANormalIntervalAndTheShareOfPairsImproved() {
        // d = 0.01, 0.02, 0.03, -0.02: mean 0.01, sample std sqrt(0.0014 / 3), 3 of 4 improved.
        TranslationReport.Gain g = TranslationReport.Gain.of(Nd4j.createFromArray(0.01, 0.02, 0.03, -0.02));
        double halfWidth = 1.96 * Math.sqrt(0.0014 / 3) / 2;
        assertEquals(0.01, g.mean(), 1e-12);
        assertEquals(0.01 - halfWidth, g.ci95().get(0), 1e-12);
        assertEquals(0.01 + halfWidth, g.ci95().get(1), 1e-12);
        assertEquals(0.75, g.shareOfPairs(), 1e-12);
    }

    @Test
    void aTieIsNotAnImprovementAndOnePairHasNoInterval() {
        TranslationReport.Gain ties = TranslationReport.Gain.of(Nd4j.createFromArray(0.0, 0.0, 0.5));
        assertEquals(1.0 / 3, ties.shareOfPairs(), 1e-12);
        TranslationReport.Gain one = TranslationReport.Gain.of(Nd4j.createFromArray(0.2));
        assertNull(one.ci95());
        assertEquals(List.of(0.2, 1.0), List.of(one.mean(), one.shareOfPairs()));
    }
}
