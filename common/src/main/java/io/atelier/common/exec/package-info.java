/**
 * How jobs run on Spark beyond Spark's own API: {@link io.atelier.common.exec.ExecutorCache}, the one
 * policy for what an executor keeps between tasks, and the driver's progress poller. Depends on
 * nothing else in Atelier, so every package may use it.
 */
package io.atelier.common.exec;
