package io.gptlens.core.sampling;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.plugin.ParamSpec;

import java.util.List;

/**
 * XTC, "Exclude Top Choices" (p-e-w, text-generation-webui PR #6335; llama.cpp's
 * {@code llama_sampler_init_xtc}): with chance {@code probability}, removes every token whose
 * probability is at least {@code threshold} except the least likely of them, steering away from
 * the most predictable continuations. No-op when {@code probability <= 0}, {@code threshold > 0.5}
 * or fewer than two candidates. Random decisions use a seeded {@link SplitMix64}.
 */
public final class XtcSampler implements Sampler {

    private final double probability;
    private final double threshold;
    private final int minKeep;
    private final long seed;
    private final SplitMix64 rng;

    public XtcSampler(double probability, double threshold, int minKeep, long seed) {
        this.probability = probability;
        this.threshold = threshold;
        this.minKeep = Math.max(1, minKeep);
        this.seed = SplitMix64.resolveSeed(seed);
        this.rng = new SplitMix64(this.seed);
    }

    private XtcSampler(XtcSampler o) {
        this.probability = o.probability;
        this.threshold = o.threshold;
        this.minKeep = o.minKeep;
        this.seed = o.seed;
        this.rng = o.rng.copy();
    }

    @Override
    public String name() {
        return "xtc";
    }

    @Override
    public void apply(Candidates c) {
        if (probability <= 0 || threshold > 0.5 || c.size() < 2) {
            return;
        }
        if (rng.nextDouble() > probability) {
            return;
        }
        c.sort();
        c.softmax();
        int lastAbove = 0;
        for (int i = 0; i < c.size(); i++) {
            if (c.p(i) >= threshold) {
                lastAbove = i;
            } else {
                break;
            }
        }
        final int cut = lastAbove;
        if (cut > 0 && c.size() - cut >= minKeep) {
            c.retain(i -> i >= cut);
        }
    }

    @Override
    public void reset() {
        rng.reset();
    }

    @Override
    public XtcSampler copy() {
        return new XtcSampler(this);
    }

    /** Provider {@code xtc}. */
    public static final class Provider extends BaseSamplerProvider {
        public Provider() {
            super("xtc", Kind.RESHAPE, "Exclude Top Choices: sometimes removes all tokens above a threshold but the least likely of them (p-e-w); probability 0 is a no-op.",
                    List.of(ParamSpec.ofFloat("probability", 0, 1, 0.0, "Chance of removing the top choices at a step; 0 = never."),
                            ParamSpec.ofFloat("threshold", 0, 1, 0.1, "Probability a token needs to count as a top choice; > 0.5 = never."),
                            ParamSpec.ofInt("min_keep", 1, Integer.MAX_VALUE, 1, "Keep at least this many tokens."),
                            ParamSpec.ofInt("seed", -1, Long.MAX_VALUE, -1, "Random seed; -1 picks one at random.")),
                    p -> new XtcSampler(p.getDouble("probability"), p.getDouble("threshold"), p.getInt("min_keep"), p.getLong("seed")));
        }
    }
}
