/**
 * Sampling: the {@link io.gptlens.core.sampling.Sampler} (reshapes) and {@link io.gptlens.core.sampling.Picker}
 * (chooses) stages modelled on llama.cpp's {@code llama_sampler_i}, the {@link io.gptlens.core.sampling.SamplerChain}
 * that owns them, the {@link io.gptlens.core.sampling.SamplerProvider} SPI, and one class per built-in sampler,
 * each citing its definition and saying which values make it a no-op.
 */
package io.gptlens.core.sampling;
