/**
 * StyleGAN2 (Karras et al. 2020, as NVlabs' stylegan2-ada-pytorch defines it), scaled to small
 * images, on the averaging engine: a mapping network z -> w, a skip synthesis network of
 * modulated, demodulated convolutions with noise inputs from a learned 4x4 constant, a residual
 * discriminator with minibatch std, equalised learning rate throughout, the non-saturating
 * logistic loss, lazy R1 (its parameter gradient as a Hessian-vector product by central
 * differences, see {@code R1Penalty}), optional lazy path-length regularisation (the same trick
 * along w, see {@code PathLengthPenalty}), style-mixing regularisation, and an EMA generator that
 * samples with truncation, style mixing and a choice of noise.
 *
 * <p>Upsampling between resolutions is nearest-neighbour ({@code nn.Upsample2x}) for both the
 * features and the skip images, and the discriminator downsamples with strided convolutions;
 * NVlabs filters with a [1,3,3,1] FIR in both places.
 *
 * <p>What is averaged across workers: both networks' parameters and Adam moments, the EMA
 * generator, the tracked mean w (each worker's moving average of its own batches; their mean
 * is a moving average over all of them) and, with a path-length weight, the path-length mean
 * pl_mean in the same way. What is not: the constant noise maps, which are drawn
 * from the run seed, never trained, and taken from worker 0; and ADA's p ({@code augment}), taken
 * from worker 0 and moved once per round on the driver from the workers' averaged r_t
 * ({@code StyleGanTrainer.afterAveraging}).
 *
 * <p>Depends on {@code families}, {@code train} (the engine's interfaces), {@code runs}, {@code data} and {@code nn}.
 */
package io.atelier.common.families.stylegan;
