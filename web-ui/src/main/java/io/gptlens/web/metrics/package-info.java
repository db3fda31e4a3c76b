/** {@code GET /metrics}: Prometheus metrics with llama-server's names where it has them, plus GPTLens's own. */
package io.gptlens.web.metrics;
