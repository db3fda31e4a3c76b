package io.gptlens.core.sampling;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.plugin.ParamSpec;

import java.util.List;

/**
 * Draws a token at random from the softmax of the candidates' logits (llama.cpp's
 * {@code llama_sampler_init_dist}), with a seeded {@link SplitMix64}: the same seed and the same
 * logits give the same tokens. {@code seed = -1} picks a random seed when the stage is made.
 */
public final class DistPicker implements Picker {

    private final long seed;
    private final SplitMix64 rng;

    public DistPicker(long seed) {
        this.seed = SplitMix64.resolveSeed(seed);
        this.rng = new SplitMix64(this.seed);
    }

    private DistPicker(long seed, SplitMix64 rng) {
        this.seed = seed;
        this.rng = rng;
    }

    /** The seed in use (resolved if -1 was asked for). */
    public long seed() {
        return seed;
    }

    @Override
    public String name() {
        return "dist";
    }

    @Override
    public int pick(Candidates c) {
        c.softmax();
        return c.id(draw(c, rng));
    }

    /** Index of a draw from {@code c}'s (valid) probabilities with {@code rng}. */
    static int draw(Candidates c, SplitMix64 rng) {
        double u = rng.nextDouble();
        double sum = 0;
        for (int i = 0; i < c.size(); i++) {
            sum += c.p(i);
        }
        double target = u * sum;
        double cum = 0;
        for (int i = 0; i < c.size(); i++) {
            cum += c.p(i);
            if (target < cum) {
                return i;
            }
        }
        // rounding: the last entry with non-zero probability
        for (int i = c.size() - 1; i > 0; i--) {
            if (c.p(i) > 0) {
                return i;
            }
        }
        return 0;
    }

    @Override
    public void reset() {
        rng.reset();
    }

    @Override
    public DistPicker copy() {
        return new DistPicker(seed, rng.copy());
    }

    /** Provider {@code dist}. */
    public static final class Provider extends BaseSamplerProvider {
        public Provider() {
            super("dist", Kind.PICK, "Draws a token from the softmax distribution with a seeded random generator.",
                    List.of(ParamSpec.ofInt("seed", -1, Long.MAX_VALUE, -1, "Random seed; -1 picks one at random.")),
                    p -> new DistPicker(p.getLong("seed")));
        }
    }
}
