/**
 * The GGUF file format: a validating reader over a memory-mapped file ({@link io.gptlens.core.gguf.GgufFile}),
 * a writer ({@link io.gptlens.core.gguf.GgufWriter}), ggml's tensor types ({@link io.gptlens.core.gguf.GgmlType}),
 * Java dequantization of the simple types ({@link io.gptlens.core.gguf.Dequantizer}) and consistency checks
 * that keep lying files away from native code ({@link io.gptlens.core.gguf.GgufModelCheck}).
 */
package io.gptlens.core.gguf;
