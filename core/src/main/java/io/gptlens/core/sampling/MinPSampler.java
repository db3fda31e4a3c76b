package io.gptlens.core.sampling;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.plugin.ParamSpec;

import java.util.List;

/**
 * Min-p sampling (Nguyen et al., "Turning Up the Heat: Min-p Sampling for Creative and Coherent
 * LLM Outputs", 2024): keeps tokens whose probability is at least {@code p} times that of the most
 * likely token, and at least {@code minKeep} tokens. No-op for {@code p <= 0}.
 */
public final class MinPSampler implements Sampler {

    private final double p;
    private final int minKeep;

    public MinPSampler(double p, int minKeep) {
        this.p = p;
        this.minKeep = Math.max(1, minKeep);
    }

    @Override
    public String name() {
        return "min-p";
    }

    @Override
    public void apply(Candidates c) {
        if (p <= 0) {
            return;
        }
        c.sort();
        c.softmax();
        double threshold = p * c.p(0);
        int keep = 0;
        while (keep < c.size() && c.p(keep) >= threshold) {
            keep++;
        }
        c.truncate(Math.max(keep, Math.min(minKeep, c.size())));
    }

    @Override
    public MinPSampler copy() {
        return this;
    }

    /** Provider {@code min-p}. */
    public static final class Provider extends BaseSamplerProvider {
        public Provider() {
            super("min-p", Kind.RESHAPE, "Keeps tokens with probability >= p x the top probability (Nguyen et al. 2024); p = 0 is a no-op.",
                    List.of(ParamSpec.ofFloat("p", 0, 1, 0.05, "Fraction of the top probability; 0 = all."),
                            ParamSpec.ofInt("min_keep", 1, Integer.MAX_VALUE, 1, "Keep at least this many tokens.")),
                    p -> new MinPSampler(p.getDouble("p"), p.getInt("min_keep")));
        }
    }
}
