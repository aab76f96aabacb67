/**
 * Cluster-scale dataset generation from trained models: sample i's inputs derive from (seed, i)
 * only, so output is identical for any partitioning. Depends on {@code data}, {@code image},
 * {@code io}, {@code exec}, {@code train}; model families implement {@link io.atelier.common.generate.GeneratorSource}.
 */
package io.atelier.common.generate;
