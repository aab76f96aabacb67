/**
 * The parameter-averaging engine: rounds of K local steps on Spark workers from one broadcast
 * state, a fixed-order tree mean, the K-step loop with metric and moving averages
 * ({@link io.atelier.common.train.LocalSteps}), worker data and per-task device binding. Model
 * families plug in through {@link io.atelier.common.train.ModelTrainer}. Depends on {@code runs},
 * {@code data}, {@code image}, {@code io}, {@code nn} (native thread count).
 */
package io.atelier.common.train;
