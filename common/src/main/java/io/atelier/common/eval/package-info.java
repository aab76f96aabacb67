/**
 * Scores for generated images: mergeable feature statistics, FID, KID, precision/recall, and the
 * Spark job that computes them partition by partition. Depends on {@code data}, {@code image},
 * {@code io}, {@code exec}; feature networks plug in through {@link io.atelier.common.eval.FeatureSource}.
 * {@link io.atelier.common.eval.TrainingFid} also uses {@code train} and {@code runs} (it is a
 * round evaluator), {@code families} and {@code generate} (it samples the model as the generation
 * job does).
 */
package io.atelier.common.eval;
