/**
 * Image embeddings as a Spark job: one feature vector per image and layer of a feature network.
 * Depends on features (networks), image (decoding, preprocessing), data (dataset input), eval and io; its
 * {@link io.atelier.common.embed.NetworkFeatures} serves the same networks to {@code eval}.
 */
package io.atelier.common.embed;
