/**
 * The {@code atelier} command line and one thin class per Spark job. Each parses options, builds
 * a SparkSession and calls into {@code io.atelier.common}; no job logic lives here.
 */
package io.atelier.jobs;
