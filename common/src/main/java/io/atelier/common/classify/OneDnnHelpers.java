package io.atelier.common.classify;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNBatchNormHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Gives Deeplearning4j's convolution, batch-norm and pooling layers the helpers that run them as
 * single native ops (oneDNN kernels in the nd4j-native build this project uses) instead of DL4J's
 * Java-side im2col, permutes and broadcasts.
 *
 * <p>DL4J 1.0.0-M2.1 never attaches these helpers itself: they are off unless a system property
 * turns them on, and its availability check looks up {@code org.nd4j.nativeblas.Nd4jCpu$Environment},
 * a class nd4j-native no longer has. The helpers' own code is sound; measured on this classifier
 * (one core, minibatch 64) a training step takes 3-3.5x less time with them. The field they live in
 * is not public (package-private in batch norm), hence reflection; if it ever fails the layer keeps
 * DL4J's built-in path, which gives the same numbers more slowly.
 */
final class OneDnnHelpers {
    private static final Logger LOG = LoggerFactory.getLogger(OneDnnHelpers.class);
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    private static volatile Boolean cpuBackend;

    private OneDnnHelpers() {
    }

    /**
     * {@code layer} with its native helper for {@code dataType} attached (on the CPU backend; CUDA
     * keeps DL4J's choice).
     */
    static <L extends Layer> L attach(L layer, DataType dataType) {
        if (!cpuBackend()) {
            return layer;
        }
        Object helper;
        if (layer instanceof ConvolutionLayer) {
            helper = new MKLDNNConvHelper(dataType);
        } else if (layer instanceof SubsamplingLayer) {
            helper = new MKLDNNSubsamplingHelper(dataType);
        } else if (layer instanceof BatchNormalization) {
            helper = new MKLDNNBatchNormHelper(dataType);
        } else {
            return layer;
        }
        try {
            Field field = helperField(layer.getClass());
            field.setAccessible(true);
            field.set(layer, helper);
        } catch (ReflectiveOperationException | RuntimeException e) {
            if (WARNED.compareAndSet(false, true)) {
                LOG.warn("Could not attach native layer helpers ({}); layers run on DL4J's slower built-in path", e.toString());
            }
        }
        return layer;
    }

    /** Whether {@code layer} runs on an attached native helper. */
    static boolean attached(Layer layer) {
        try {
            Field field = helperField(layer.getClass());
            field.setAccessible(true);
            Object helper = field.get(layer);
            return helper != null && helper.getClass().getSimpleName().startsWith("MKLDNN");
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    private static Field helperField(Class<?> type) throws NoSuchFieldException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                return c.getDeclaredField("helper");
            } catch (NoSuchFieldException e) {
                // declared higher up
            }
        }
        throw new NoSuchFieldException("helper in " + type.getName());
    }

    private static boolean cpuBackend() {
        Boolean cpu = cpuBackend;
        if (cpu == null) {
            cpu = "CPU".equalsIgnoreCase(Nd4j.getExecutioner().getEnvironmentInformation().getProperty("backend"));
            cpuBackend = cpu;
        }
        return cpu;
    }
}
