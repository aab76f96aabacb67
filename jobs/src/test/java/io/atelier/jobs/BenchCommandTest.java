package io.atelier.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.atelier.common.bench.DiffusionBenchmark;
import io.atelier.common.families.cyclegan.CycleGanArchitecture;
import io.atelier.common.families.diffusion.DiffusionConfig;
import io.atelier.common.families.diffusion.TextEncoder;
import io.atelier.common.families.diffusion.UNet;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.atelier.jobs.AtelierCliTest.atelier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench commands' output as a script reads it. */
class BenchCommandTest {

    @Test
    void styleGanStepPrintsOneJsonLineForTheDefaultNetworks() throws Exception {
        AtelierCliTest.Result r = atelier("bench", "stylegan-step", "--steps", "1", "--warmup", "0", "--batch", "4", "--json");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().strip().lines().toList();
        assertEquals(1, lines.size(), "--json prints the JSON line alone, got: " + r.out());
        JsonNode json = new ObjectMapper().readTree(lines.get(0));
        assertEquals("stylegan_step", json.path("bench").asText(), lines.get(0));
        for (String field : List.of("ms_per_step", "cpu_ms_per_step", "gflop_per_step", "gflops", "peak_gflops", "peak_share")) {
            assertTrue(json.get(field).asDouble() > 0, field + " should be positive in " + lines.get(0));
        }
        // The defaults at 32x32x1 (z, w 128; 2 mapping layers; 64 channels), as docs/stylegan.md quotes them.
        var arch = new io.atelier.common.families.stylegan.StyleGanArchitecture(32, 1, 128, 2, 64);
        assertEquals(arch.generatorParams().size(), json.get("g_params").asInt());
        assertEquals(arch.discriminatorParams().size(), json.get("d_params").asInt());
        assertEquals(1, json.get("r1_steps").asInt(), "the one timed step is step 0, an R1 step");
    }

    @Test
    void cycleGanStepPrintsOneJsonLineOfPositiveFiguresForTheDefaultNetworks() throws Exception {
        AtelierCliTest.Result r = atelier("bench", "cyclegan-step", "--steps", "1", "--warmup", "0", "--size", "28",
                "--channels", "1", "--json");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().strip().lines().toList();
        assertEquals(1, lines.size(), "--json prints the JSON line alone, got: " + r.out());
        JsonNode json = new ObjectMapper().readTree(lines.get(0));
        assertEquals("cyclegan_step", json.path("bench").asText(), lines.get(0));
        for (String field : List.of("size", "channels", "batch", "steps", "threads", "g_params", "d_params", "ms_per_step",
                "min_ms", "max_ms", "cpu_ms_per_step", "images_per_s", "gflop_per_step", "gflops", "peak_gflops",
                "peak_share", "cpu_peak_share")) {
            assertTrue(json.has(field), "missing " + field + " in " + lines.get(0));
            assertTrue(json.get(field).asDouble() > 0, field + " should be positive in " + lines.get(0));
        }
        // The family's defaults at 28x28x1: ngf = ndf = 32, 6 residual blocks, 2 discriminator layers, batch 4.
        CycleGanArchitecture arch = new CycleGanArchitecture(28, 1, 32, 6, 32, 2);
        assertEquals(28, json.get("size").asInt());
        assertEquals(1, json.get("channels").asInt());
        assertEquals(4, json.get("batch").asInt());
        assertEquals(arch.generatorParams().size(), json.get("g_params").asLong());
        assertEquals(arch.discriminatorParams().size(), json.get("d_params").asLong());
        // Per image of the batch: 18 generator and 16 discriminator forward-pass equivalents, 2 FLOPs per multiply-add.
        double gflop = 2.0 * 4 * (18.0 * arch.generatorMacsPerImage() + 16.0 * arch.discriminatorMacsPerImage()) / 1e9;
        assertEquals(gflop, json.get("gflop_per_step").asDouble(), 1e-4);
        // 2B real images per step.
        assertEquals(8 * 1000 / json.get("ms_per_step").asDouble(), json.get("images_per_s").asDouble(),
                0.01 * json.get("images_per_s").asDouble());
    }

    @Test
    void diffusionStepTimesTheCaptioned32x32ConfigurationWithTheTransformerEncoder() throws Exception {
        AtelierCliTest.Result r = atelier("bench", "diffusion-step", "--captioned", "--batch", "2", "--steps", "1",
                "--warmup", "0", "--threads", "1", "--json");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().strip().lines().toList();
        assertEquals(1, lines.size(), "--json prints the JSON line alone, got: " + r.out());
        JsonNode json = new ObjectMapper().readTree(lines.get(0));
        assertEquals("captioned_32x32x3", json.path("config").asText(), lines.get(0));
        for (String field : List.of("ms_per_step", "gflop_per_step", "gflops", "peak_gflops", "peak_share")) {
            assertTrue(json.get(field).asDouble() > 0, field + " should be positive in " + lines.get(0));
        }
        DiffusionConfig config = DiffusionBenchmark.captioned();
        assertEquals(TextEncoder.Kind.TRANSFORMER, config.textEncoder());
        assertEquals(3, config.channels());
        // Forward and a backward of twice the forward, 2 FLOPs per multiply-add, 2 images.
        double gflop = 6.0 * 2 * new UNet(config.architecture(), 1).macsPerImage() / 1e9;
        assertEquals(gflop, json.get("gflop_per_step").asDouble(), 1e-3);
    }

    @Test
    void cycleGanStepRefusesAnUnsupportedSizeInOneLine() {
        AtelierCliTest.Result r = atelier("bench", "cyclegan-step", "--size", "30", "--steps", "1", "--warmup", "0");
        assertEquals(2, r.code(), r.err());
        assertEquals("atelier cyclegan-step: --size 30: use 28, 32 or 64", r.err().strip());
    }

    @Test
    void benchHelpIsGeneratedFromItsSettingsRecordWithTheDefaults() {
        AtelierCliTest.Result r = atelier("bench", "gan-step", "--help");
        assertEquals(0, r.code(), r.err());
        String help = r.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("--steps=N Timed steps (per backend and round with --compare). (default: 20)"), help);
        assertTrue(help.contains("--warmup=N Untimed steps first. (default: 30)"), help);
        assertTrue(help.contains("--config=FILE"), help);
        AtelierCliTest.Result sample = atelier("bench", "sample", "--help");
        assertFalse(sample.out().contains("--warmup"), "sample has no warmup setting: " + sample.out());
    }

    @Test
    void benchSettingsComeFromAConfigFileThenFlags(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path config = tmp.resolve("bench.json");
        java.nio.file.Files.writeString(config, "{\"steps\": 1, \"warmup\": 0, \"batch\": 3, \"size\": 28, \"channels\": 1}");
        AtelierCliTest.Result r = atelier("bench", "cyclegan-step", "--config", config.toString(), "--batch", "2", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out().strip().lines().reduce((a, b) -> b).orElseThrow());
        assertEquals(28, json.get("size").asInt(), "from the file");
        assertEquals(1, json.get("steps").asInt(), "from the file");
        assertEquals(2, json.get("batch").asInt(), "the flag wins over the file");

        java.nio.file.Files.writeString(config, "{\"stepz\": 1}");
        AtelierCliTest.Result unknown = atelier("bench", "cyclegan-step", "--config", config.toString());
        assertEquals(2, unknown.code(), unknown.err());
        assertTrue(unknown.err().contains("unknown setting 'stepz'"), unknown.err());
        assertEquals(1, unknown.err().strip().lines().count(), unknown.err());
    }
}
