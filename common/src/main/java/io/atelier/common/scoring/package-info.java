/**
 * {@code atelier evaluate} and FID while training as library calls: the choice of feature network
 * (a classifier file or a shipped network), a dataset or a run's samples scored against real data
 * (with per-class accuracy for labelled samples), and a trainer's periodic FID set up from its
 * settings; a CycleGAN run's translation scored (target-domain share, cycle L1, FID beside its
 * baselines), from a checkpoint or between rounds. Uses {@code classify} and {@code embed} for the
 * networks, {@code eval} for the scores, {@code generate} and {@code families} for samples and
 * translations, {@code train} and {@code runs} for the round-evaluator contract and the training
 * state, {@code image} for the pixels of samples, and {@code data}, {@code io}. Prompt fidelity: a
 * text-to-image run's samples per prompt, scored by a classifier (category) and by colour against
 * the real images of each prompt (attribute binding).
 */
package io.atelier.common.scoring;
