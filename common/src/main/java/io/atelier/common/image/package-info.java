/**
 * Image bytes and pixels: decoding with hard limits, EXIF orientation, fitting to a square,
 * Spark's {@code image} struct, NCHW tensors and PNG grids. Depends on nothing else in Atelier.
 */
package io.atelier.common.image;
