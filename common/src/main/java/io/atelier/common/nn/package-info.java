/**
 * Network building blocks as ND4J ops on preallocated tensors, with hand-derived backward passes:
 * dense, convolution, transposed convolution, their equalised-learning-rate forms, StyleGAN2's
 * modulated convolution and minibatch std, reflection padding, batch norm, group norm (instance
 * norm as one group per channel), activations, residual
 * blocks, self-attention, layer norm, token embeddings, transformer blocks and cross-attention,
 * upsampling, losses, the project's one Adam, and the flat parameter
 * layout they share with the training state. Every forward, backward, loss and optimizer update
 * runs as backend ops, so it runs on whichever device the backend uses; {@link
 * io.atelier.common.nn.HostArrays} is the one place that copies between heap arrays and tensors
 * (enforced by a source scan in the tests). Model definitions live in their families. Depends on
 * ND4J only.
 */
package io.atelier.common.nn;
