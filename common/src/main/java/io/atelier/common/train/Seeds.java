package io.atelier.common.train;

/**
 * Derives every random stream from (run seed, round, worker, step, purpose) so that a retried
 * task, a resumed run and a repeated run draw exactly the same numbers.
 */
public final class Seeds {
    private Seeds() {
    }

    /** SplitMix64 finaliser over the parts in order: well mixed, stable across JVMs. */
    public static long derive(long... parts) {
        long h = 0x9E3779B97F4A7C15L;
        for (long p : parts) {
            h = mix(h ^ mix(p + 0x9E3779B97F4A7C15L));
        }
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
