/**
 * GAN model families: configs, networks assembled from {@code nn} blocks, train steps and
 * sampling behind {@link io.atelier.common.train.ModelTrainer}. Depends on {@code nn},
 * {@code train} and {@code data}.
 */
package io.atelier.common.gan;
