package io.gptlens.plugins.tailfree;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.plugin.ParamSpec;
import io.gptlens.core.sampling.BaseSamplerProvider;
import io.gptlens.core.sampling.Sampler;

import java.util.List;

/**
 * Tail-free sampling (Trenton Bricken, "Tail-Free Sampling", 2019): sorts the probabilities,
 * takes the absolute second differences {@code |p[i] − 2p[i+1] + p[i+2]|}, normalises them to sum
 * to 1, and keeps tokens while their cumulative sum stays at most {@code z}: the "tail" starts where
 * the curve of sorted probabilities flattens. At least one token stays. No-op for {@code z ≥ 1}.
 */
public final class TailFreeSampler implements Sampler {

    private final double z;

    public TailFreeSampler(double z) {
        this.z = z;
    }

    @Override
    public String name() {
        return "tail-free";
    }

    @Override
    public void apply(Candidates c) {
        if (z >= 1 || c.size() <= 2) {
            return;
        }
        c.sort();
        c.softmax();
        int n = c.size();
        double[] d2 = new double[n - 2];
        double sum = 0;
        for (int i = 0; i < n - 2; i++) {
            d2[i] = Math.abs(c.p(i) - 2.0 * c.p(i + 1) + c.p(i + 2));
            sum += d2[i];
        }
        if (sum == 0) {
            return; // a straight line: no tail to find
        }
        double cum = 0;
        int keep = 0;
        while (keep < d2.length) {
            cum += d2[keep] / sum;
            if (cum > z) {
                break;
            }
            keep++;
        }
        c.truncate(Math.max(1, keep + 1));
    }

    @Override
    public TailFreeSampler copy() {
        return this;
    }

    /** Provider {@code tail-free}. */
    public static final class Provider extends BaseSamplerProvider {
        public Provider() {
            super("tail-free", Kind.RESHAPE, "Tail-free sampling (Bricken 2019): cuts where the sorted probabilities flatten; z = 1 is a no-op.",
                    List.of(ParamSpec.ofFloat("z", 0, 1, 0.95, "Share of the curvature to keep; 1 = off.")),
                    p -> new TailFreeSampler(p.getDouble("z")));
        }
    }
}
