/**
 * Tokens and vocabularies: the {@link io.gptlens.core.tokenizer.Tokenizer} contract, token kinds and pieces,
 * and the {@link io.gptlens.core.tokenizer.TokenizerProvider} SPI that plugins implement.
 */
package io.gptlens.core.tokenizer;
