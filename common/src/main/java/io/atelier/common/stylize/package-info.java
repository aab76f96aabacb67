/**
 * {@code atelier stylize}: the catalog map stage. Reads images (folders, archives, datasets,
 * globs), stylizes each with each style once, and commits rows per task so re-runs skip what is
 * done; another job can run it with styles of its own ({@link io.atelier.common.stylize.StyleSpec#custom}).
 * Depends on catalog (reading the input, quarantine), style (the stylizers), embed (feature
 * network specs), exec (the executor's stylizer cache), data, image and io.
 */
package io.atelier.common.stylize;
