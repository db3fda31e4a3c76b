package io.gptlens.core.sampling;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.plugin.ParamSpec;

import java.util.List;

/**
 * Nucleus sampling (Holtzman et al., "The Curious Case of Neural Text Degeneration", 2019): keeps
 * the smallest set of most likely tokens whose probabilities sum to at least p, and at least
 * {@code minKeep} tokens. No-op for {@code p >= 1}.
 */
public final class TopPSampler implements Sampler {

    private final double p;
    private final int minKeep;

    public TopPSampler(double p, int minKeep) {
        this.p = p;
        this.minKeep = Math.max(1, minKeep);
    }

    @Override
    public String name() {
        return "top-p";
    }

    @Override
    public void apply(Candidates c) {
        if (p >= 1) {
            return;
        }
        c.softmax();
        c.keepTopP(p, minKeep);
    }

    @Override
    public TopPSampler copy() {
        return this;
    }

    /** Provider {@code top-p}. */
    public static final class Provider extends BaseSamplerProvider {
        public Provider() {
            super("top-p", Kind.RESHAPE, "Nucleus sampling: keeps the most likely tokens up to cumulative probability p (Holtzman et al. 2019); p = 1 is a no-op.",
                    List.of(ParamSpec.ofFloat("p", 0, 1, 0.95, "Cumulative probability to keep; 1 = all."),
                            ParamSpec.ofInt("min_keep", 1, Integer.MAX_VALUE, 1, "Keep at least this many tokens.")),
                    p -> new TopPSampler(p.getDouble("p"), p.getInt("min_keep")));
        }
    }
}
