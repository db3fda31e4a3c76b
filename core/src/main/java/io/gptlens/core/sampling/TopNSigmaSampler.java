package io.gptlens.core.sampling;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.plugin.ParamSpec;

import java.util.List;

/**
 * Top-nσ (Tang et al., "Top-nσ: Not All Logits Are You Need", 2024): keeps tokens whose logit is
 * within n standard deviations of the largest logit, {@code l >= max - n·σ}, with σ the standard
 * deviation of the finite logits. No-op for {@code n <= 0} or a single candidate.
 */
public final class TopNSigmaSampler implements Sampler {

    private final double n;

    public TopNSigmaSampler(double n) {
        this.n = n;
    }

    @Override
    public String name() {
        return "top-n-sigma";
    }

    @Override
    public void apply(Candidates c) {
        if (n <= 0 || c.size() <= 1) {
            return;
        }
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        int count = 0;
        for (int i = 0; i < c.size(); i++) {
            float l = c.logit(i);
            if (l != Float.NEGATIVE_INFINITY) {
                max = Math.max(max, l);
                sum += l;
                count++;
            }
        }
        if (count == 0) {
            return;
        }
        double mean = sum / count;
        double acc = 0;
        for (int i = 0; i < c.size(); i++) {
            float l = c.logit(i);
            if (l != Float.NEGATIVE_INFINITY) {
                acc += (l - mean) * (l - mean);
            }
        }
        double sigma = Math.sqrt(acc / count);
        double threshold = max - n * sigma;
        c.sort();
        c.retain(i -> c.logit(i) >= threshold);
    }

    @Override
    public TopNSigmaSampler copy() {
        return this;
    }

    /** Provider {@code top-n-sigma}. */
    public static final class Provider extends BaseSamplerProvider {
        public Provider() {
            super("top-n-sigma", Kind.RESHAPE, "Keeps tokens with logit >= max - n*sigma (Tang et al. 2024); n <= 0 is a no-op.",
                    List.of(ParamSpec.ofFloat("n", -1, 100, 1.0, "Standard deviations below the top logit to keep; <= 0 = all.")),
                    p -> new TopNSigmaSampler(p.getDouble("n")));
        }
    }
}
