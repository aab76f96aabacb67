/**
 * Diffusion models: noise schedules, the noise-prediction U-Net's train step behind
 * {@link io.atelier.common.train.ModelTrainer}, DDPM/DDIM samplers with classifier-free
 * guidance, and prompt vocabularies. Depends on {@code nn}, {@code train}, {@code data} and
 * {@code generate}.
 */
package io.atelier.common.diffusion;
