/**
 * DDPM training of a noise-prediction U-Net (linear and cosine schedules, eps or v), DDPM and DDIM
 * samplers, class and caption conditioning (the mean of word vectors, or a transformer text encoder
 * with cross-attention) with classifier-free guidance; registered as the family
 * {@code diffusion}. Depends on {@code families}, {@code train}, {@code runs}, {@code nn}, {@code data}, {@code io}.
 */
package io.atelier.common.families.diffusion;
