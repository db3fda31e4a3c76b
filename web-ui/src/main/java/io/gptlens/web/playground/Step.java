package io.gptlens.web.playground;

import io.gptlens.core.distribution.TopN;

import java.util.List;

/**
 * One generated token as the playground keeps it.
 *
 * @param token        token id
 * @param text         the token's text (its bytes as UTF-8; may be part of a character)
 * @param label        the visible label (whitespace shown, see {@code TokenDisplay})
 * @param p            the model's probability of the token (temperature 1)
 * @param logit        its logit
 * @param logits       the full logits at this position, or null when too large to keep
 * @param alternatives the most probable tokens at this position
 */
public record Step(int token, String text, String label, double p, float logit, float[] logits, List<TopN.Entry> alternatives) {
}
