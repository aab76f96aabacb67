/**
 * Scores for generated images: mergeable feature statistics, FID, KID, precision/recall, and the
 * Spark job that computes them partition by partition. Depends on {@code data}, {@code image},
 * {@code io}; feature networks plug in through {@link io.atelier.common.eval.FeatureSource}.
 */
package io.atelier.common.eval;
