/**
 * Feature networks: networks whose named layers give feature maps, imported from TF.js layers
 * models and Keras .h5 files (or random, for tests) as SameDiff graphs. Depends on ND4J and {@code io}.
 */
package io.atelier.common.features;
