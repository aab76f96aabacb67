package io.atelier.common.style;

import io.atelier.common.embed.ExtractorSpec;
import io.atelier.common.image.PixelAdapter;
import io.atelier.common.runs.TrainingState;
import io.atelier.common.train.LocalSteps;
import io.atelier.common.train.ModelTrainer;
import io.atelier.common.train.WorkerData;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FastStyleTrainerTest {
    static final Path ROOT = Path.of(System.getProperty("atelier.repo.root", "..")).toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    static FastStyleTrainer tinyTrainer() throws IOException {
        LinkedHashMap<String, Double> layers = new LinkedHashMap<>(GatysOptions.defaults("random").styleLayers());
        FastStyleTrainer.Settings settings = new FastStyleTrainer.Settings(new TransformerNet.Config(4, 1), "conv3",
                layers, 1.0, 1e3, 1.0, 24, 2, 0.02, 32);
        byte[] style = Files.readAllBytes(ROOT.resolve("data/images/style/starry_night.jpg"));
        return new FastStyleTrainer(settings, ExtractorSpec.resolve("random", null, null, new Configuration()), style, List.of(),
                new int[]{32, 32});
    }

    /** Four 32x32 crops of the shipped photo as one worker's data (bytes as stored: interleaved BGR). */
    static WorkerData photoCrops() throws IOException {
        BufferedImage photo = ImageIO.read(ROOT.resolve("data/images/content/chelsea.png").toFile());
        int n = 4;
        int s = 32;
        byte[] px = new byte[n * 3 * s * s];
        for (int i = 0; i < n; i++) {
            BufferedImage crop = photo.getSubimage(40 + 60 * i, 40 + 20 * i, 4 * s, 4 * s);
            INDArray rgb = StyleImages.toUnit(crop, s, s).permute(0, 2, 3, 1).dup('c');
            float[] unit = PixelAdapter.storedToRgb(rgb, Nd4j.create(DataType.FLOAT, 1, s, s, 3)).data().asFloat();
            for (int j = 0; j < unit.length; j++) {
                px[i * unit.length + j] = (byte) Math.round(unit[j] * 255);
            }
        }
        return new WorkerData(0, n, 3, s, s, px, new int[n]);
    }

    @Test
    void perceptualLossFallsOnATinySet() throws IOException {
        FastStyleTrainer trainer = tinyTrainer();
        TrainingState state = trainer.initialState(7);
        ModelTrainer.LocalWorker worker = trainer.newWorker();
        WorkerData data = photoCrops();
        Map<String, Double> first = LocalSteps.run(trainer, worker, state, data, 3, 7, 0);
        Map<String, Double> later = null;
        for (int round = 1; round <= 4; round++) {
            later = LocalSteps.run(trainer, worker, state, data, 6, 7, round);
        }
        System.out.println("fast style (random net): first round " + first + ", last " + later);
        // Measured: total 3.43 -> 1.99, style 0.0034 -> 0.0019 over these 27 steps.
        assertTrue(later.get("loss") < 0.75 * first.get("loss"), "the loss should fall by a quarter: " + first + " -> " + later);
        assertTrue(later.get("style") < 0.8 * first.get("style"), "the style loss should fall: " + first + " -> " + later);
    }

    @Test
    void sameSeedSameWeightsAndTheModelRoundTrips() throws IOException {
        FastStyleTrainer trainer = tinyTrainer();
        WorkerData data = photoCrops();
        TrainingState a = trainer.initialState(3);
        TrainingState b = trainer.initialState(3);
        LocalSteps.run(trainer, trainer.newWorker(), a, data, 2, 3, 0);
        LocalSteps.run(trainer, trainer.newWorker(), b, data, 2, 3, 0);
        assertTrue(a.bitIdentical(b), "two workers from the same state and seed must agree bit for bit");

        TransformerNet.Config config = trainer.settings().net();
        FastStyleModel model = new FastStyleModel("starry_night", "abc", config, FastStyleTrainer.params(a, config),
                Map.of("round", 1));
        model.save(tmp.toString(), new Configuration());
        FastStyleModel back = FastStyleModel.load(tmp.toString(), new Configuration());
        assertEquals(model.weightsSha256(), back.weightsSha256());
        assertArrayEquals(model.params().get("out/kernel"), back.params().get("out/kernel"));

        BufferedImage photo = ImageIO.read(ROOT.resolve("data/images/content/chelsea.png").toFile());
        BufferedImage out = new FastStylizer(back, 30, false).stylize(photo);
        assertEquals(30, Math.max(out.getWidth(), out.getHeight()), "longer side is --size");
        assertEquals(photo.getWidth() > photo.getHeight(), out.getWidth() > out.getHeight(), "aspect kept");
    }
}
