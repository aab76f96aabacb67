/**
 * Network building blocks with hand-written backward passes over preallocated native buffers:
 * dense, convolution, transposed convolution, batch norm, group norm, activations, losses, Adam,
 * the DCGAN networks and the diffusion U-Net (residual blocks, self-attention, upsampling), and the
 * flat parameter layout they share with the training state. Depends on ND4J only.
 */
package io.atelier.common.nn;
