/**
 * Neural style transfer: Gram-matrix style loss, content and total-variation losses, and
 * optimisation-based (Gatys) stylization over a feature network. Depends on nn and image.
 */
package io.atelier.common.style;
