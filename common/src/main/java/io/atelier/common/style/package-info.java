/**
 * Neural style transfer: Gram-matrix style loss, content and total-variation losses,
 * optimisation-based (Gatys) stylization over a feature network, and the fast feed-forward
 * transformer (Johnson et al.) with its trainer for the averaging engine. Depends on features,
 * embed (feature network specs), train, runs, nn (the project's one Adam and its host copies), data,
 * image and io.
 */
package io.atelier.common.style;
