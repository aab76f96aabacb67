/**
 * Run directories and what they hold: the training state and its checkpoints (checksummed, with
 * provenance), the metrics log, sample grids and the HTML report. Depends on {@code io} and
 * {@code image} only; the engine writes through it and samplers read through it.
 */
package io.atelier.common.runs;
