package io.gptlens.core.tokenizer;

/**
 * The ids of a vocabulary's special tokens; {@code -1} where the vocabulary has none.
 *
 * @param bos beginning of sequence
 * @param eos end of sequence
 * @param eot end of turn
 * @param sep separator
 * @param nl  newline
 * @param pad padding
 */
public record SpecialTokens(int bos, int eos, int eot, int sep, int nl, int pad) {
}
