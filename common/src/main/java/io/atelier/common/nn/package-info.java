/**
 * Network building blocks with hand-written backward passes over preallocated native buffers:
 * dense, convolution, transposed convolution, batch norm, activations, losses, Adam, and the
 * flat parameter layout they share with the training state. Depends on ND4J only.
 */
package io.atelier.common.nn;
