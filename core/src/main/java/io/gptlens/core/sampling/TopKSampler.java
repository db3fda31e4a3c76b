package io.gptlens.core.sampling;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.plugin.ParamSpec;

import java.util.List;

/**
 * Keeps the k candidates with the largest logits (Fan, Lewis and Dauphin, "Hierarchical Neural
 * Story Generation", 2018). No-op for {@code k <= 0} or k at least the number of candidates.
 */
public final class TopKSampler implements Sampler {

    private final int k;

    public TopKSampler(int k) {
        this.k = k;
    }

    @Override
    public String name() {
        return "top-k";
    }

    @Override
    public void apply(Candidates c) {
        if (k <= 0 || k >= c.size()) {
            return;
        }
        c.keepTopK(k);
    }

    @Override
    public TopKSampler copy() {
        return this;
    }

    /** Provider {@code top-k}. */
    public static final class Provider extends BaseSamplerProvider {
        public Provider() {
            super("top-k", Kind.RESHAPE, "Keeps the k most likely tokens (Fan et al. 2018); k <= 0 is a no-op.",
                    List.of(ParamSpec.ofInt("k", 0, Integer.MAX_VALUE, 40, "Tokens to keep; 0 = all.")),
                    p -> new TopKSampler(p.getInt("k")));
        }
    }
}
