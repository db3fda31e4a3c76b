package io.gptlens.web.playground;

import io.gptlens.core.distribution.Softmax;
import io.gptlens.core.distribution.TopN;

/**
 * The distribution the playground shows right now, kept in the browser session so that other
 * views (the explorer) can say how likely a token is there.
 *
 * @param modelId the model
 * @param logits  the logits of the shown position
 * @param where   which position, in words
 */
public record PlaygroundSnapshot(String modelId, float[] logits, String where) {

    /** "p = 12.34 %, rank 3 of 512" for a token. */
    public String describe(int token) {
        if (token < 0 || token >= logits.length) {
            return "not in this model's vocabulary";
        }
        double p = Math.exp(logits[token] - Softmax.logSumExp(logits));
        return String.format(java.util.Locale.ROOT, "p = %.4f %%, rank %d of %d", 100 * p, TopN.rank(logits, token), logits.length);
    }
}
