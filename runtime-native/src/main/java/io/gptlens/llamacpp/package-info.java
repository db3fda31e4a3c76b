/**
 * llama.cpp through Java's Foreign Function and Memory API: {@link io.gptlens.llamacpp.LlamaBackend}
 * implements core's Backend SPI with {@link io.gptlens.llamacpp.LlamaModel} and
 * {@link io.gptlens.llamacpp.LlamaSession}; {@link io.gptlens.llamacpp.LlamaLibrary} finds the native
 * libraries. Nothing outside this module sees a {@code MemorySegment} of llama.cpp's; bindings and struct
 * layouts live in the internal package.
 */
package io.gptlens.llamacpp;
