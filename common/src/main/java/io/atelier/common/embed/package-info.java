/**
 * Image embeddings as a Spark job: one feature vector per image and layer of a feature network.
 * Depends on nn (networks), image (decoding, preprocessing) and data (dataset input); its
 * {@link io.atelier.common.embed.NetworkFeatures} serves the same networks to {@code eval}.
 */
package io.atelier.common.embed;
