package io.atelier.common.train;

import org.apache.spark.Partitioner;

/** Sends key w (a worker index) to partition w, so partition index and worker index agree. */
final class WorkerPartitioner extends Partitioner {
    private final int workers;

    WorkerPartitioner(int workers) {
        this.workers = workers;
    }

    @Override
    public int numPartitions() {
        return workers;
    }

    @Override
    public int getPartition(Object key) {
        return (Integer) key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorkerPartitioner p && p.workers == workers;
    }

    @Override
    public int hashCode() {
        return workers;
    }
}
