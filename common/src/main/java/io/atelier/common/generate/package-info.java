/**
 * Cluster-scale dataset generation from trained models: sample i's inputs derive from (seed, i)
 * only, so output is identical for any partitioning. Opens models through the family registry
 * ({@link io.atelier.common.families.GeneratorSource}). Depends on {@code families}, {@code runs},
 * {@code exec}, {@code data}, {@code image}, {@code io}.
 */
package io.atelier.common.generate;
