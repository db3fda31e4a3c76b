package io.gptlens.core.sampling;

/**
 * A small, seedable and copyable random generator (Steele, Lea and Flood, "Fast splittable
 * pseudorandom number generators", OOPSLA 2014). Samplers use it so that a run is reproducible
 * from its seed and a copied chain continues the same stream. Not thread-safe.
 */
public final class SplitMix64 {

    private final long seed;
    private long state;

    /** A generator seeded with {@code seed}. */
    public SplitMix64(long seed) {
        this.seed = seed;
        this.state = seed;
    }

    /** The next 64 random bits. */
    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A uniform double in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Back to the seed's first value. */
    public void reset() {
        state = seed;
    }

    /** An independent generator at the same point of the stream. */
    public SplitMix64 copy() {
        SplitMix64 c = new SplitMix64(seed);
        c.state = state;
        return c;
    }

    /** Resolves a user seed: -1 means "pick one at random", anything else is used as is. */
    public static long resolveSeed(long seed) {
        return seed == -1 ? (System.nanoTime() ^ Double.doubleToLongBits(Math.random())) & 0xFFFFFFFFL : seed;
    }
}
