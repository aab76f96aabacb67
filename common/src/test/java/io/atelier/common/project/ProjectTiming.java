package io.atelier.common.project;

import io.atelier.common.embed.ExtractorSpec;
import io.atelier.common.families.stylegan.StyleGanArchitecture;
import io.atelier.common.families.stylegan.StyleGanConfig;
import io.atelier.common.families.stylegan.StyleGanProjector;
import io.atelier.common.families.stylegan.StyleGanTrainer;
import io.atelier.common.features.KerasFeatureNetwork;
import io.atelier.common.nn.HostArrays;
import io.atelier.common.nn.Params;
import io.atelier.common.nn.Rng;
import io.atelier.common.runs.TrainingState;
import org.apache.hadoop.conf.Configuration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.Map;

/**
 * The timing note of docs/stylegan.md (a program, not a test): ms per image-step of the projector
 * on a freshly initialised generator at the family's defaults (z and w 128, 2 mapping layers, 64
 * channels), 32x32 grey, for batches of 1 and 8, pixel loss alone and with the shipped
 * mobilenet_v2 feature loss (block_1_expand_relu). Run from the repository root (the shipped
 * network's path is relative). Arguments: [steps=10].
 */
public final class ProjectTiming {
    private ProjectTiming() {
    }

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        StyleGanConfig config = new StyleGanConfig(32, 1, 128, 2, 64, 32, 2.5e-3, 0.0, 0.99, 0.01, 16, 0.9, 10, 2);
        StyleGanArchitecture arch = config.architecture();
        Params params = new Params(arch.generatorParams());
        params.load(arch.generatorParams().initialValues(new Rng(1)));
        Map<String, float[]> tensors = new HashMap<>();
        tensors.put(StyleGanTrainer.G_EMA, HostArrays.toArray(params.values()));
        tensors.put(StyleGanTrainer.W_AVG, new float[arch.latentDim()]);
        TrainingState state = new TrainingState(tensors, 0, 1);
        KerasFeatureNetwork mobilenet = (KerasFeatureNetwork) ExtractorSpec.resolve("mobilenet_v2", null, null,
                new Configuration()).build();
        System.out.printf("32x32x1, z/w 128, 64 channels, %d steps, %d native threads%n", steps,
                Nd4j.getEnvironment().maxMasterThreads());
        for (boolean features : new boolean[]{false, true}) {
            for (int batch : new int[]{1, 8}) {
                FeatureDistance loss = features ? new FeatureDistance(mobilenet, "block_1_expand_relu", 32) : null;
                StyleGanProjector p = new StyleGanProjector(config, state, batch, loss);
                INDArray targets = Nd4j.rand(DataType.FLOAT, batch, 32, 32, 1).muli(2).subi(1);
                long[] keys = new long[batch];
                for (int i = 0; i < batch; i++) {
                    keys[i] = i;
                }
                StyleGanProjector.Options o = new StyleGanProjector.Options(steps, StyleGanProjector.Space.W, 1e5,
                        features ? 1.0 : 0.0, 0);
                p.project(targets, keys, batch, new StyleGanProjector.Options(2, o.space(), 1e5, o.featureWeight(), 0));
                long t0 = System.nanoTime();
                p.project(targets, keys, batch, o);
                double ms = (System.nanoTime() - t0) / 1e6;
                System.out.printf("batch %d, %s: %.1f ms per image-step (%.0f ms per step of the batch)%n", batch,
                        features ? "pixel + mobilenet_v2 features" : "pixel loss only", ms / steps / batch, ms / steps);
            }
        }
    }
}
