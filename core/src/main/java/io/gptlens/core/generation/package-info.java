/**
 * The generation loop ({@link io.gptlens.core.generation.Generator}) and the events it reports
 * ({@link io.gptlens.core.generation.GenerationEvent}).
 */
package io.gptlens.core.generation;
