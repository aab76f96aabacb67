/**
 * CycleGAN: unpaired translation between two image domains (Zhu et al. 2017, as
 * junyanz/pytorch-CycleGAN-and-pix2pix defines it), scaled to small images, on the averaging
 * engine. Generators G (A to B) and F (B to A) are ResNet generators with instance normalisation
 * and reflection padding; D_A and D_B are PatchGAN discriminators; the loss is least squares plus
 * cycle-consistency and identity L1 terms.
 *
 * <p>What is averaged across workers: the four networks' parameters and Adam moments. What is
 * not: each worker's two pools of generated images, which stay per worker (the engine sums
 * slices that each worker writes alone) and travel in checkpoints so a resumed run is
 * bit-identical. The two domains are label sets of one dataset; each worker draws unpaired
 * minibatches of both from its own shards. Image rows can be translated where they are, for scoring.
 *
 * <p>Depends on {@code families}, {@code train} (the engine's interfaces), {@code runs}, {@code data},
 * {@code image}, {@code compute} (a task's device) and {@code nn}.
 */
package io.atelier.common.families.cyclegan;
