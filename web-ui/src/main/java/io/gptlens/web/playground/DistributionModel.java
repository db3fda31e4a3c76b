package io.gptlens.web.playground;

import io.gptlens.core.distribution.Softmax;
import io.gptlens.core.distribution.TopN;
import io.gptlens.core.plugin.NamedProviders;
import io.gptlens.core.sampling.ChainPreview;
import io.gptlens.core.sampling.SamplerProvider;
import io.gptlens.core.sampling.StageSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * The numbers of the distribution panel, computed from one position's logits and the current
 * sampler settings, without running the model again: for the top tokens, the model's probability
 * (temperature 1), the probability after the chain's reshaping stages, the logit and the rank.
 * Plain Java, unit-tested without a server.
 */
public final class DistributionModel {

    /**
     * One row.
     *
     * @param id       token id
     * @param rank     1-based rank by logit
     * @param logit    raw logit
     * @param modelP   softmax of the raw logits
     * @param sampledP probability after the reshaping stages (0 if a stage removed the token)
     */
    public record Row(int id, int rank, float logit, double modelP, double sampledP) {
    }

    private final float[] logits;
    private final double logSumExp;
    private final List<ChainPreview.Snapshot> pipeline;

    /**
     * @param logits one position's logits
     * @param chain  the sampler chain (pickers are ignored)
     */
    public DistributionModel(NamedProviders<SamplerProvider> providers, float[] logits, List<StageSpec> chain, long seed) {
        this.logits = logits.clone();
        this.logSumExp = Softmax.logSumExp(logits);
        this.pipeline = ChainPreview.run(providers, chain, logits, seed);
    }

    /** The distribution after every stage, starting with the model's. */
    public List<ChainPreview.Snapshot> pipeline() {
        return pipeline;
    }

    /** The {@code n} most probable tokens of the model. */
    public List<Row> top(int n) {
        List<Row> rows = new ArrayList<>();
        int rank = 1;
        for (TopN.Entry e : TopN.of(logits, logSumExp, n)) {
            rows.add(new Row(e.id(), rank++, e.logit(), e.p(), pipeline.getLast().p(e.id())));
        }
        return rows;
    }

    /** The row of any token (its exact probability and rank). */
    public Row row(int token) {
        if (token < 0 || token >= logits.length) {
            throw new IllegalArgumentException("Token " + token + " is outside the vocabulary of " + logits.length);
        }
        return new Row(token, TopN.rank(logits, token), logits[token], Math.exp(logits[token] - logSumExp), pipeline.getLast().p(token));
    }

    /** Sum of the sampled probabilities (1 up to rounding). */
    double sampledTotal() {
        double s = 0;
        for (float p : pipeline.getLast().probs()) {
            s += p;
        }
        return s;
    }
}
