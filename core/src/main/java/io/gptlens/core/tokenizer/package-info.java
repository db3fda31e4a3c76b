/**
 * Tokens and vocabularies: the {@link io.gptlens.core.tokenizer.Tokenizer} contract, token kinds and pieces,
 * the {@link io.gptlens.core.tokenizer.TokenizerProvider} SPI that plugins implement, and
 * {@link io.gptlens.core.tokenizer.ByteLevelBpe}, GPT-2's byte-level BPE in pure Java (the home of
 * GPT-2's pre-tokenizer pattern and byte table).
 */
package io.gptlens.core.tokenizer;
