/**
 * Where a Spark task computes: the GPU Spark assigned it or its share of CPU threads, bound once
 * per task before any network is built, plus the driver-side checks and executor native-memory
 * limits that go with it. Depends on ND4J, Spark and {@code nn} (thread counts) only.
 */
package io.atelier.common.compute;
