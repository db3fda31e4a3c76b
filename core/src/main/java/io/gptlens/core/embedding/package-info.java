/**
 * Embedding rows as vectors: arithmetic and similarity ({@link io.gptlens.core.embedding.Vectors}), a 2-D
 * projection ({@link io.gptlens.core.embedding.Pca}) and token kinds for filters ({@link io.gptlens.core.embedding.TokenFlags}).
 */
package io.gptlens.core.embedding;
