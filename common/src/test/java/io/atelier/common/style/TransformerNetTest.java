package io.atelier.common.style;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransformerNetTest {
    @TempDir
    Path tmp;

    /** The untrained network (seeded weights, output kernel scaled up so it changes the image) on one input. */
    private static INDArray run(TransformerNet.Config c, INDArray input) {
        return run(c, input, false);
    }

    /** @param sized build the graph for this input's size (as training does), not for any size */
    private static INDArray run(TransformerNet.Config c, INDArray input, boolean sized) {
        Map<String, float[]> params = TransformerNet.initial(c, 11);
        for (int i = 0; i < params.get("out/kernel").length; i++) {
            params.get("out/kernel")[i] *= 100; // undo the near-identity start so borders would show
        }
        SameDiff sd = SameDiff.create();
        SDVariable in = sized ? sd.placeHolder("x", DataType.FLOAT, input.shape())
                : sd.placeHolder("x", DataType.FLOAT, -1, 3, -1, -1);
        String out = TransformerNet.build(sd, in, c, TransformerNet.constants(sd, params)).name();
        return sd.output(Map.of("x", input), out).get(out);
    }

    /** Largest difference between any pixel and the image's centre pixel, per channel. */
    private static double spread(INDArray y) {
        long h = y.size(2);
        long w = y.size(3);
        double worst = 0;
        for (int ch = 0; ch < 3; ch++) {
            double centre = y.getDouble(0, ch, h / 2, w / 2);
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    worst = Math.max(worst, Math.abs(y.getDouble(0, ch, i, j) - centre));
                }
            }
        }
        return worst;
    }

    @Test
    void reflectionPaddingLeavesAFlatImageFlatWhereZerosPaintAFrame() {
        // A flat grey image: every window a reflection-padded convolution sees is the same, so the
        // output is flat too; zero padding darkens the windows that reach past the edge.
        INDArray flat = Nd4j.valueArrayOf(new long[]{1, 3, 24, 20}, 0.6f);
        INDArray reflected = run(new TransformerNet.Config(4, 1), flat);
        INDArray zeros = run(new TransformerNet.Config(4, 1, TransformerNet.Padding.ZERO, TransformerNet.Config.OUTPUT_GAIN), flat);
        assertArrayEquals(new long[]{1, 3, 24, 20}, reflected.shape(), "same size out as in");
        assertTrue(spread(reflected) < 1e-4, "reflection padding: flat in, flat out, spread " + spread(reflected));
        assertTrue(spread(zeros) > 1e-2, "zero padding should show at the border, spread " + spread(zeros));
    }

    @Test
    void trainingAndInferenceGraphsMirrorTheBorderAlike() {
        // Training builds the mirrored border from slices, inference with the pad op: same pixels.
        float[] px = new float[3 * 20 * 28];
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        for (int i = 0; i < px.length; i++) {
            px[i] = (float) random.nextDouble();
        }
        INDArray photo = Nd4j.create(px, new long[]{1, 3, 20, 28}, 'c');
        TransformerNet.Config c = new TransformerNet.Config(4, 1);
        INDArray sized = run(c, photo, true);
        INDArray any = run(c, photo, false);
        assertArrayEquals(any.shape(), sized.shape());
        assertTrue(sized.sub(any).amaxNumber().doubleValue() < 1e-5,
                "largest difference " + sized.sub(any).amaxNumber());
        assertTrue(sized.sub(photo).amaxNumber().doubleValue() > 1e-2, "the network changes the image");
    }

    @Test
    void paddingAndGainAreRecordedAndOlderModelFilesReadAsZeroPaddedAtGainOne() throws Exception {
        TransformerNet.Config c = new TransformerNet.Config(2, 0);
        assertEquals(TransformerNet.Padding.REFLECT, c.padding(), "new models reflect");
        assertEquals(TransformerNet.Config.OUTPUT_GAIN, c.outputGain(), "new models' output gain");
        FastStyleModel model = new FastStyleModel("s", "sha", c, TransformerNet.initial(c, 1), Map.of());
        Configuration conf = new Configuration();
        model.save(tmp.resolve("new").toString(), conf);
        assertEquals(c, FastStyleModel.load(tmp.resolve("new").toString(), conf).config(), "config round trip");

        // A model.json from before padding was recorded: the same file without the field.
        Path json = tmp.resolve("new").resolve(FastStyleModel.JSON);
        String old = Files.readString(json, StandardCharsets.UTF_8).replaceAll("\\s*\"(padding|outputGain)\" : [^,]*,", "");
        assertTrue(!old.contains("padding") && !old.contains("outputGain"), "fields removed: " + old);
        Files.writeString(json, old, StandardCharsets.UTF_8);
        Files.deleteIfExists(json.resolveSibling("." + FastStyleModel.JSON + ".crc")); // Hadoop's checksum of the old text
        assertEquals(new TransformerNet.Config(2, 0, TransformerNet.Padding.ZERO, 1.0),
                FastStyleModel.load(tmp.resolve("new").toString(), conf).config(), "an older file's network");
    }
}
