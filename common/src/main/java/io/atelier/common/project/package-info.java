/**
 * {@code atelier project}: StyleGAN inversion of every image of a catalog, as the stylize map
 * stage (inputs of every kind, networks once per executor, idempotent re-runs, resume,
 * quarantine) with the projection handed in as a custom style whose rows carry extra columns
 * (latent, errors). Holds the job, its settings, the projector-to-stylizer adapter and the
 * feature distance. Depends on stylize, style, families (StyleGAN runs), runs, features, embed, image,
 * io, nn.
 */
package io.atelier.common.project;
