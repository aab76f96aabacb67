package io.atelier.common.classify;

import io.atelier.common.eval.FeatureExtractor;
import io.atelier.common.eval.FeatureSource;
import io.atelier.common.io.HadoopFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained classifier's penultimate (dense) layer as features. The file's bytes travel with the
 * source (Spark ships a stage's closure once per executor), so executors need no access to the
 * path; equality is by SHA-256 so each executor thread loads the network once.
 */
public final class ClassifierFeatures implements FeatureSource {
    private final String path;
    private final byte[] bytes;
    private final String sha256;
    private final ClassifierModel.Info info;

    private ClassifierFeatures(String path, byte[] bytes, ClassifierModel model) {
        this.path = path;
        this.bytes = bytes;
        this.sha256 = model.sha256();
        this.info = model.info();
    }

    public static ClassifierFeatures load(String path, Configuration conf) {
        byte[] bytes = HadoopFiles.readAll(new Path(path), conf);
        return new ClassifierFeatures(path, bytes, ClassifierModel.fromBytes(bytes, path));
    }

    /** The whole classifier, loaded from the carried bytes. */
    MultiLayerNetwork network() {
        return ClassifierModel.fromBytes(bytes, path).network();
    }

    public List<String> classNames() {
        return info.classNames();
    }

    @Override
    public FeatureExtractor open() {
        MultiLayerNetwork network = network();
        int featureLayer = network.getnLayers() - 2;
        return nchw -> {
            List<INDArray> activations = network.feedForwardToLayer(featureLayer, nchw, false);
            INDArray features = activations.get(activations.size() - 1);
            return features.reshape(features.size(0), -1).toFloatMatrix();
        };
    }

    @Override
    public int dimension() {
        return info.featureDimension();
    }

    @Override
    public int size() {
        return info.size();
    }

    @Override
    public int channels() {
        return info.channels();
    }

    @Override
    public Map<String, Object> provenance() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("network", "atelier classifier, penultimate (dense) layer");
        m.put("path", path);
        m.put("sha256", sha256);
        m.put("dimension", info.featureDimension());
        m.put("classNames", info.classNames());
        m.put("testAccuracy", info.testAccuracy());
        m.put("trainedOn", info.provenance());
        m.put("comparable", "only with scores computed with this same file");
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClassifierFeatures other && other.sha256.equals(sha256);
    }

    @Override
    public int hashCode() {
        return sha256.hashCode();
    }
}
