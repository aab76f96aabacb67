/**
 * The parameter-averaging engine: training state held by the driver, rounds of local steps on
 * Spark workers, averaging, checkpoints, metrics and run reports. Model families plug in through
 * {@link io.atelier.common.train.ModelTrainer}. Depends on {@code data}, {@code image}, {@code io}.
 */
package io.atelier.common.train;
