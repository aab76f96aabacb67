/**
 * Image embeddings as a Spark job: one feature vector per image and layer of a feature network.
 * Depends on catalog (input, quarantine), features (networks), exec (the executor's network cache),
 * eval ({@link io.atelier.common.embed.NetworkFeatures} serves the same networks to it), data, image, io.
 */
package io.atelier.common.embed;
