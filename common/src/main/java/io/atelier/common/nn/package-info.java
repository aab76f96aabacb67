/**
 * Networks built from imported files: feature networks whose named layers give feature maps
 * (TF.js layers models, Keras .h5 files) as SameDiff graphs. Depends on ND4J only.
 */
package io.atelier.common.nn;
