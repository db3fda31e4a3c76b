/**
 * Vocabulary- and matrix-sized loops with the Vector API ({@code jdk.incubator.vector}), with
 * scalar fallbacks for JVMs started without that module: log-sum-exp and top-N over logits,
 * exponentials, dot products and int8 row scans. {@link io.gptlens.core.simd.Simd} is the one
 * entry point.
 */
package io.gptlens.core.simd;
