package io.atelier.common.eval;

import java.io.Serializable;

/** What one partition (and, merged, the whole sample) returns: exact moments plus a bounded sample. */
public record FeatureSummary(FeatureStatistics statistics, FeatureReservoir reservoir) implements Serializable {

    public static FeatureSummary empty(int dimension, int reservoirCapacity) {
        return new FeatureSummary(new FeatureStatistics(dimension), new FeatureReservoir(reservoirCapacity, dimension));
    }

    public void add(long key, float[] features) {
        statistics.add(features);
        reservoir.offer(key, features);
    }

    public FeatureSummary merge(FeatureSummary other) {
        statistics.merge(other.statistics);
        reservoir.merge(other.reservoir);
        return this;
    }
}
