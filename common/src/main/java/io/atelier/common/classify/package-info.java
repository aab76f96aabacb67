/**
 * The image classifier trained with dl4j-spark's parameter averaging, its saved form with
 * provenance, and its penultimate layer as the feature network for evaluation. Depends on
 * {@code data}, {@code image}, {@code io}, {@code eval}, {@code exec}, {@code compute}, and
 * {@code train} for its seed derivation.
 */
package io.atelier.common.classify;
