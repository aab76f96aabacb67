/**
 * Image embeddings as a Spark job: one feature vector per image and layer of a feature network.
 * Depends on nn (networks), image (decoding, preprocessing) and data (dataset input).
 */
package io.atelier.common.embed;
