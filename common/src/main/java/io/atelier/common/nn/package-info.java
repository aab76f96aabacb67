/**
 * Network building blocks with hand-written backward passes over preallocated native buffers:
 * dense, convolution, transposed convolution, batch norm, group norm, activations, residual
 * blocks, self-attention, upsampling, losses, Adam, and the flat parameter layout they share with
 * the training state. Model definitions live in their families. Depends on ND4J only.
 */
package io.atelier.common.nn;
