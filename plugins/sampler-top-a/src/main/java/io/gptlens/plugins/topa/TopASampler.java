package io.gptlens.plugins.topa;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.plugin.ParamSpec;
import io.gptlens.core.sampling.BaseSamplerProvider;
import io.gptlens.core.sampling.Sampler;

import java.util.List;

/**
 * Top-a sampling (BlinkDL, introduced with RWKV, 2022): removes tokens whose probability is
 * below {@code a · p_max²}. A confident distribution (large p_max) is cut hard, a flat one
 * barely. No-op for {@code a = 0}.
 */
public final class TopASampler implements Sampler {

    private final double a;

    public TopASampler(double a) {
        this.a = a;
    }

    @Override
    public String name() {
        return "top-a";
    }

    @Override
    public void apply(Candidates c) {
        if (a <= 0) {
            return;
        }
        c.sort();
        c.softmax();
        double threshold = a * c.p(0) * c.p(0);
        int keep = 1;
        while (keep < c.size() && c.p(keep) >= threshold) {
            keep++;
        }
        c.truncate(keep);
    }

    @Override
    public TopASampler copy() {
        return this;
    }

    /** Provider {@code top-a}. */
    public static final class Provider extends BaseSamplerProvider {
        public Provider() {
            super("top-a", Kind.RESHAPE, "Top-a (BlinkDL 2022): removes tokens with p < a x p_max^2; a = 0 is a no-op.",
                    List.of(ParamSpec.ofFloat("a", 0, 1, 0.2, "Strength of the cut relative to the top probability squared; 0 = off.")),
                    p -> new TopASampler(p.getDouble("a")));
        }
    }
}
