/**
 * Benchmarks that measure two ways of doing the same work side by side in one run and return a
 * table of figures and ratios. Depends on any other package; nothing depends on it.
 */
package io.atelier.common.bench;
