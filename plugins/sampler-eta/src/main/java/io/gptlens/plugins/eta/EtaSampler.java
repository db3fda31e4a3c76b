package io.gptlens.plugins.eta;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.plugin.ParamSpec;
import io.gptlens.core.sampling.BaseSamplerProvider;
import io.gptlens.core.sampling.Sampler;

import java.util.List;

/**
 * Eta sampling (Hewitt, Manning and Liang, "Truncation Sampling as Language Model Desmoothing",
 * EMNLP 2022): removes tokens whose probability is at most
 * {@code η = min(ε, √ε · exp(−H))}, with H the entropy of the distribution; the most likely token
 * always stays. A flat (high-entropy) distribution is cut less than a peaked one. No-op for
 * {@code ε = 0}.
 */
public final class EtaSampler implements Sampler {

    private final double epsilon;

    public EtaSampler(double epsilon) {
        this.epsilon = epsilon;
    }

    @Override
    public String name() {
        return "eta";
    }

    /** The cut-off for a distribution of entropy {@code h} (nats). */
    static double eta(double epsilon, double h) {
        return Math.min(epsilon, Math.sqrt(epsilon) * Math.exp(-h));
    }

    @Override
    public void apply(Candidates c) {
        if (epsilon <= 0) {
            return;
        }
        c.sort();
        c.softmax();
        double h = 0;
        for (int i = 0; i < c.size(); i++) {
            double p = c.p(i);
            if (p > 0) {
                h -= p * Math.log(p);
            }
        }
        double cut = eta(epsilon, h);
        int keep = 1;
        while (keep < c.size() && c.p(keep) > cut) {
            keep++;
        }
        c.truncate(keep);
    }

    @Override
    public EtaSampler copy() {
        return this;
    }

    /** Provider {@code eta}. */
    public static final class Provider extends BaseSamplerProvider {
        public Provider() {
            super("eta", Kind.RESHAPE, "Eta sampling (Hewitt et al. 2022): removes tokens with p <= min(eps, sqrt(eps) exp(-H)); eps = 0 is a no-op.",
                    List.of(ParamSpec.ofFloat("epsilon", 0, 0.5, 0.0009, "epsilon; the paper suggests 3e-4 to 2e-3; 0 = off.")),
                    p -> new EtaSampler(p.getDouble("epsilon")));
        }
    }
}
