/**
 * From logits to probabilities: {@link io.gptlens.core.distribution.Softmax} with temperature,
 * {@link io.gptlens.core.distribution.Candidates} (what samplers reshape) and
 * {@link io.gptlens.core.distribution.TopN} for the distribution panel and log-probabilities.
 */
package io.gptlens.core.distribution;
