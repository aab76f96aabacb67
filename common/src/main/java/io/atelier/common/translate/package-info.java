/**
 * {@code atelier translate}: a trained CycleGAN's generator applied to every image of a catalog,
 * as the stylize map stage (inputs of every kind, network once per executor, idempotent re-runs,
 * resume, quarantine) with the translation handed in as a custom style. Holds the job, its
 * settings and the CycleGAN-to-stylizer adapter. Depends on stylize (the map stage), style (the
 * stylizer interface), families (CycleGAN runs), image and io.
 */
package io.atelier.common.translate;
