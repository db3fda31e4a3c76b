/**
 * Pre-training: what happens before a model sees its first token. Today the byte-level BPE
 * trainer ({@link io.gptlens.core.training.BpeTrainer}, counting words with
 * {@link io.gptlens.core.training.WordCounts}, learning a
 * {@link io.gptlens.core.training.BpeVocabulary} that is written to and read from GGUF); corpora,
 * training recipes and learning-rate schedules belong here too. Depends on the JDK and
 * {@code io.gptlens.core} alone.
 */
package io.gptlens.core.training;
