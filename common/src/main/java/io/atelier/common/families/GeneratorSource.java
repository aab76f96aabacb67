package io.atelier.common.families;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * A trained model as the generation job sees it: small and serialisable (config + where its
 * weights are), able to build a {@link SampleGenerator} once per executor.
 */
public interface GeneratorSource extends Serializable {
    /**
     * Builds the generator; {@code conf} is the job's Hadoop configuration (the file system
     * settings of the driver's session, such as an S3A endpoint and keys), shipped to executors.
     */
    SampleGenerator open(org.apache.hadoop.conf.Configuration conf);

    int channels();

    int size();

    /** Label names of a class-conditional model; empty when it takes no labels. */
    List<String> labelNames();

    /** What made the samples: model run, checkpoint, sampler settings (goes into the manifest). */
    Map<String, Object> provenance();

    /** A short name for origins ({@code generated:NAME#i}). */
    String name();
}
