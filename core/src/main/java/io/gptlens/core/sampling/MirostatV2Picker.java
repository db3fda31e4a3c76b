package io.gptlens.core.sampling;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.plugin.ParamSpec;

import java.util.List;

/**
 * Mirostat version 2 (Basu et al. 2021, the simplified variant llama.cpp implements as
 * {@code llama_sampler_init_mirostat_v2}): drops tokens whose surprise {@code -log2 p} exceeds
 * {@code mu}, samples from the rest, and adapts {@code mu -= eta * (surprise - tau)}. A picker.
 * Stateful ({@code mu}, random state).
 */
public final class MirostatV2Picker implements Picker {

    private final double tau;
    private final double eta;
    private final long seed;
    private final SplitMix64 rng;
    private double mu;

    public MirostatV2Picker(double tau, double eta, long seed) {
        this.tau = tau;
        this.eta = eta;
        this.seed = SplitMix64.resolveSeed(seed);
        this.rng = new SplitMix64(this.seed);
        this.mu = 2 * tau;
    }

    private MirostatV2Picker(MirostatV2Picker o) {
        this.tau = o.tau;
        this.eta = o.eta;
        this.seed = o.seed;
        this.rng = o.rng.copy();
        this.mu = o.mu;
    }

    /** The current maximum surprise (starts at 2·tau). */
    public double mu() {
        return mu;
    }

    @Override
    public String name() {
        return "mirostat-v2";
    }

    @Override
    public int pick(Candidates c) {
        c.sort();
        c.softmax();
        int keep = 0;
        while (keep < c.size() && -Math.log(c.p(keep)) / Math.log(2) <= mu) {
            keep++;
        }
        c.truncate(Math.max(1, keep));
        c.softmax();
        int idx = DistPicker.draw(c, rng);
        double surprise = -Math.log(c.p(idx)) / Math.log(2);
        mu -= eta * (surprise - tau);
        return c.id(idx);
    }

    @Override
    public void reset() {
        mu = 2 * tau;
        rng.reset();
    }

    @Override
    public MirostatV2Picker copy() {
        return new MirostatV2Picker(this);
    }

    /** Provider {@code mirostat-v2}. */
    public static final class Provider extends BaseSamplerProvider {
        public Provider() {
            super("mirostat-v2", Kind.PICK, "Mirostat v2 (Basu et al. 2021): drops tokens with surprise above mu, adapts mu towards tau.",
                    List.of(ParamSpec.ofFloat("tau", 0, 100, 5.0, "Target surprise in bits."),
                            ParamSpec.ofFloat("eta", 0, 10, 0.1, "Learning rate of mu."),
                            ParamSpec.ofInt("seed", -1, Long.MAX_VALUE, -1, "Random seed; -1 picks one at random.")),
                    p -> new MirostatV2Picker(p.getDouble("tau"), p.getDouble("eta"), p.getLong("seed")));
        }
    }
}
