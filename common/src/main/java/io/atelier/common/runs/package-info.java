/**
 * Opening a run directory as the generator of its model family, by the command recorded in its
 * config.json. Depends on every model family and on {@code generate} and {@code train}.
 */
package io.atelier.common.runs;
