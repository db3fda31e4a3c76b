package io.gptlens.core.sampling;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.core.plugin.ParamSpec;

import java.util.Arrays;
import java.util.List;

/**
 * Locally typical sampling (Meister et al., "Locally Typical Sampling", TACL 2023): ranks tokens by
 * how close their surprise {@code -log p} is to the distribution's entropy H and keeps the closest
 * ones until their probabilities sum to more than p (at least {@code minKeep}). No-op for
 * {@code p >= 1}.
 */
public final class TypicalSampler implements Sampler {

    private final double p;
    private final int minKeep;

    public TypicalSampler(double p, int minKeep) {
        this.p = p;
        this.minKeep = Math.max(1, minKeep);
    }

    @Override
    public String name() {
        return "typical";
    }

    @Override
    public void apply(Candidates c) {
        if (p >= 1) {
            return;
        }
        c.softmax();
        int n = c.size();
        double entropy = 0;
        for (int i = 0; i < n; i++) {
            double pi = c.p(i);
            if (pi > 0) {
                entropy -= pi * Math.log(pi);
            }
        }
        double[] shifted = new double[n];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            double pi = c.p(i);
            shifted[i] = pi > 0 ? Math.abs(-Math.log(pi) - entropy) : Double.POSITIVE_INFINITY;
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(shifted[a], shifted[b]));
        double cum = 0;
        int last = n;
        for (int i = 0; i < n; i++) {
            cum += c.p(order[i]);
            if (cum > p && i >= minKeep - 1) {
                last = i + 1;
                break;
            }
        }
        boolean[] keep = new boolean[n];
        for (int i = 0; i < last; i++) {
            keep[order[i]] = true;
        }
        c.retain(i -> keep[i]);
    }

    @Override
    public TypicalSampler copy() {
        return this;
    }

    /** Provider {@code typical}. */
    public static final class Provider extends BaseSamplerProvider {
        public Provider() {
            super("typical", Kind.RESHAPE, "Locally typical sampling (Meister et al. 2023): keeps tokens whose surprise is near the entropy; p = 1 is a no-op.",
                    List.of(ParamSpec.ofFloat("p", 0, 1, 1.0, "Probability mass to keep; 1 = all."),
                            ParamSpec.ofInt("min_keep", 1, Integer.MAX_VALUE, 1, "Keep at least this many tokens.")),
                    p -> new TypicalSampler(p.getDouble("p"), p.getInt("min_keep")));
        }
    }
}
