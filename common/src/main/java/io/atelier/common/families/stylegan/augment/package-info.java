/**
 * Adaptive discriminator augmentation (ADA) as NVlabs' stylegan2-ada defines it: the blit, geom
 * and color transforms drawn per image from a seed, applied as one affine resample and one colour
 * matrix per image with a backward pass for the generator, and the controller that steers the
 * probability p. Depends on {@code nn}, {@code train} (seeds) and {@code image} (the figure).
 */
package io.atelier.common.families.stylegan.augment;
