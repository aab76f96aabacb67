/**
 * DCGAN, optionally class-conditional: its networks, one training step, the EMA generator's
 * sampler, and its run as a generator; registered as the family {@code dcgan}. Depends on
 * {@code families}, {@code train}, {@code runs}, {@code nn}, {@code data}, {@code io}.
 */
package io.atelier.common.families.dcgan;
