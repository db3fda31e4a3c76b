package io.gptlens.core.sampling;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.plugin.ParamSpec;

import java.util.List;

/**
 * Mirostat version 1 (Basu et al., "Mirostat: A Neural Text Decoding Algorithm that Directly
 * Controls Perplexity", ICLR 2021, Algorithm 1): estimates the Zipf exponent s from the top
 * {@code m} probabilities, chooses k so that the expected surprise matches the target
 * {@code tau}, samples from the top k, and adapts {@code mu} by {@code eta} times the error.
 * A picker: it always chooses a token. Stateful ({@code mu}, random state).
 */
public final class MirostatPicker implements Picker {

    private final double tau;
    private final double eta;
    private final int m;
    private final long seed;
    private final SplitMix64 rng;
    private double mu;

    public MirostatPicker(double tau, double eta, int m, long seed) {
        this.tau = tau;
        this.eta = eta;
        this.m = Math.max(2, m);
        this.seed = SplitMix64.resolveSeed(seed);
        this.rng = new SplitMix64(this.seed);
        this.mu = 2 * tau;
    }

    private MirostatPicker(MirostatPicker o) {
        this.tau = o.tau;
        this.eta = o.eta;
        this.m = o.m;
        this.seed = o.seed;
        this.rng = o.rng.copy();
        this.mu = o.mu;
    }

    /** The current target maximum surprise (starts at 2·tau). */
    public double mu() {
        return mu;
    }

    @Override
    public String name() {
        return "mirostat";
    }

    @Override
    public int pick(Candidates c) {
        int nVocab = c.size();
        c.sort();
        c.softmax();
        double sumTiBi = 0;
        double sumTiSq = 0;
        for (int i = 0; i < m - 1 && i < c.size() - 1; i++) {
            double ti = Math.log((i + 2.0) / (i + 1.0));
            double bi = Math.log((double) c.p(i) / c.p(i + 1));
            if (Double.isFinite(bi)) {
                sumTiBi += ti * bi;
                sumTiSq += ti * ti;
            }
        }
        double sHat = sumTiSq > 0 ? sumTiBi / sumTiSq : 1;
        double epsHat = sHat - 1;
        double k = Math.pow((epsHat * Math.pow(2, mu)) / (1 - Math.pow(nVocab, -epsHat)), 1 / sHat);
        int kk = Double.isFinite(k) ? (int) Math.max(1, Math.min(nVocab, k)) : nVocab;
        c.truncate(kk);
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
    public MirostatPicker copy() {
        return new MirostatPicker(this);
    }

    /** Provider {@code mirostat}. */
    public static final class Provider extends BaseSamplerProvider {
        public Provider() {
            super("mirostat", Kind.PICK, "Mirostat v1 (Basu et al. 2021): picks from an adaptive top-k that keeps surprise near tau.",
                    List.of(ParamSpec.ofFloat("tau", 0, 100, 5.0, "Target surprise in bits."),
                            ParamSpec.ofFloat("eta", 0, 10, 0.1, "Learning rate of mu."),
                            ParamSpec.ofInt("m", 2, 1 << 20, 100, "Tokens used to estimate the Zipf exponent."),
                            ParamSpec.ofInt("seed", -1, Long.MAX_VALUE, -1, "Random seed; -1 picks one at random.")),
                    p -> new MirostatPicker(p.getDouble("tau"), p.getDouble("eta"), p.getInt("m"), p.getLong("seed")));
        }
    }
}
