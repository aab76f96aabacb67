/**
 * What an executor JVM keeps between tasks: {@link io.atelier.common.exec.ExecutorCache}, the one
 * policy (keyed, bounded, built once, thread-safe) for networks and workers. Depends on nothing else
 * in Atelier, so every package may use it.
 */
package io.atelier.common.exec;
