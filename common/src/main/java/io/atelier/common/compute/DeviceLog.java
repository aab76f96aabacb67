package io.atelier.common.compute;

import org.apache.spark.SparkContext;
import org.apache.spark.util.AccumulatorV2;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * The distinct devices a job's tasks computed on ({@code executor 1: gpu 0}, ...), gathered
 * from the executors for the job's summary. A set, so a retried task adds nothing new.
 */
public final class DeviceLog extends AccumulatorV2<TaskDevice, Set<String>> {
    private final TreeSet<String> seen = new TreeSet<>();

    /** A log registered with {@code spark} under {@code name}, to be passed to the job's tasks. */
    public static DeviceLog register(SparkContext spark, String name) {
        DeviceLog log = new DeviceLog();
        spark.register(log, name);
        return log;
    }

    /** Binds the calling task ({@link ComputeDevice#bindForTask()}) and records where it computes. */
    public TaskDevice bindTask() {
        TaskDevice device = ComputeDevice.bindForTask();
        add(device);
        return device;
    }

    /** The devices seen, joined with "; " ({@code none} before any task reported). */
    public String summary() {
        Set<String> v = value();
        return v.isEmpty() ? "none" : String.join("; ", v);
    }

    @Override
    public boolean isZero() {
        synchronized (seen) {
            return seen.isEmpty();
        }
    }

    @Override
    public DeviceLog copy() {
        DeviceLog copy = new DeviceLog();
        synchronized (seen) {
            copy.seen.addAll(seen);
        }
        return copy;
    }

    @Override
    public void reset() {
        synchronized (seen) {
            seen.clear();
        }
    }

    @Override
    public void add(TaskDevice device) {
        synchronized (seen) {
            seen.add(device.toString());
        }
    }

    @Override
    public void merge(AccumulatorV2<TaskDevice, Set<String>> other) {
        Set<String> theirs = other.value();
        synchronized (seen) {
            seen.addAll(theirs);
        }
    }

    @Override
    public Set<String> value() {
        synchronized (seen) {
            return Collections.unmodifiableSet(new TreeSet<>(seen));
        }
    }
}
