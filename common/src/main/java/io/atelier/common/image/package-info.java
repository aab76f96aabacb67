/**
 * Image bytes and pixels: decoding with hard limits, EXIF orientation, fitting to a square,
 * Spark's {@code image} struct, the one pixel adapter between stored rows and the networks' NHWC
 * batches ({@link io.atelier.common.image.PixelAdapter}), and PNG grids. Depends on nothing else in Atelier.
 */
package io.atelier.common.image;
