/**
 * The model-family registry: a {@link io.atelier.common.families.ModelFamily} per family, found by
 * id through {@link java.util.ServiceLoader}, and what every family shares: typed training settings,
 * one training launcher over the averaging engine, and trained models as generators. Depends on
 * {@code train}, {@code runs}, {@code data}, {@code io}; the families' own packages depend on it.
 */
package io.atelier.common.families;
