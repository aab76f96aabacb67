package io.atelier.common.families;

import io.atelier.common.families.cyclegan.CycleGanFamily;
import io.atelier.common.families.cyclegan.CycleGanSettings;
import io.atelier.common.families.dcgan.DcganFamily;
import io.atelier.common.families.dcgan.DcganSettings;
import io.atelier.common.families.diffusion.DiffusionFamily;
import io.atelier.common.families.diffusion.DiffusionSettings;
import io.atelier.common.io.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FamiliesTest {

    @Test
    void registeredFamiliesAreFoundByTheirIds() {
        assertEquals(List.of("cyclegan", "dcgan", "diffusion", "stylegan"), List.copyOf(Families.all().keySet()));
        assertInstanceOf(CycleGanFamily.class, Families.get("cyclegan"));
        assertInstanceOf(CycleGanSettings.class, Families.get("cyclegan").defaults());
        assertInstanceOf(DcganFamily.class, Families.get("dcgan"));
        assertInstanceOf(DiffusionFamily.class, Families.get("diffusion"));
        assertInstanceOf(DcganSettings.class, Families.get("dcgan").defaults());
        assertInstanceOf(DiffusionSettings.class, Families.get("diffusion").defaults());
        assertInstanceOf(io.atelier.common.families.stylegan.StyleGanSettings.class, Families.get("stylegan").defaults());
    }

    @Test
    void anUnknownIdNamesTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Families.get("vqgan"));
        assertEquals("unknown model family 'vqgan'; available: cyclegan, dcgan, diffusion, stylegan", e.getMessage());
    }

    @Test
    void runsAreReadByTheFamilyTheyRecordAndOlderRunsByTheirCommand() throws Exception {
        assertEquals("diffusion", Families.familyOf(Json.MAPPER.readTree("{\"family\":\"diffusion\",\"dcgan\":{}}")));
        assertEquals("dcgan", Families.familyOf(Json.MAPPER.readTree("{\"command\":\"train-gan\"}")));
        assertEquals("diffusion", Families.familyOf(Json.MAPPER.readTree("{\"command\":\"train-diffusion\"}")));
        assertEquals("dcgan", Families.familyOf(Json.MAPPER.readTree("{\"dcgan\":{}}")));
        assertEquals("", Families.familyOf(Json.MAPPER.readTree("{\"command\":\"train-style\"}")));
    }

    @Test
    void settingsGiveTheEngineConfig() {
        DcganSettings s = DcganSettings.DEFAULTS;
        assertEquals(s.workers(), s.engine().workers());
        assertEquals(s.localSteps(), s.engine().localSteps());
        assertEquals(s.sampleEvery(), s.engine().sampleEvery());
        assertEquals(s.keepCheckpoints(), s.engine().keepCheckpoints());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, s::requirePaths);
        assertTrue(e.getMessage().startsWith("data"), e.getMessage());
    }
}
