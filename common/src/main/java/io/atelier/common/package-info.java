/** Atelier's library: everything a job does, callable without the command line. */
package io.atelier.common;
