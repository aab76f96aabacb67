package io.atelier.common.features;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RandomFeatureNetworkTest {
    private static final INDArray BATCH = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 3, 32, 24);

    @Test
    void layersGiveNchwMapsAtTheirStrides() {
        FeatureNetwork net = RandomFeatureNetwork.create(1, 32);
        assertEquals(List.of("input", "conv1", "conv2", "pool", "conv3"), net.layerNames());
        Map<String, INDArray> maps = net.forward(BATCH, List.of("conv1", "conv3"));
        assertArrayEquals(new long[]{2, 8, 32, 24}, maps.get("conv1").shape());
        assertArrayEquals(new long[]{2, 16, 8, 6}, maps.get("conv3").shape());
        assertTrue(maps.get("conv3").minNumber().doubleValue() >= 0, "ReLU maps are non-negative");
        assertTrue(maps.get("conv3").maxNumber().doubleValue() > 0, "some features fire");
    }

    @Test
    void sameSeedSameFeaturesOtherSeedOthers() {
        INDArray a = RandomFeatureNetwork.create(7, 32).forward(BATCH, List.of("conv3")).get("conv3");
        INDArray b = RandomFeatureNetwork.create(7, 32).forward(BATCH, List.of("conv3")).get("conv3");
        INDArray c = RandomFeatureNetwork.create(8, 32).forward(BATCH, List.of("conv3")).get("conv3");
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void unknownLayerIsRefusedByName() {
        FeatureNetwork net = RandomFeatureNetwork.create(1, 32);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> net.forward(BATCH, List.of("block5_conv1")));
        assertTrue(e.getMessage().contains("no layer 'block5_conv1'"), e.getMessage());
    }
}
