/**
 * Model, session and backend: the SPI a runtime implements ({@link io.gptlens.core.model.Backend},
 * {@link io.gptlens.core.model.Model}, {@link io.gptlens.core.model.Session}) and the plain values it
 * exchanges ({@link io.gptlens.core.model.ModelInfo}, {@link io.gptlens.core.model.Batch}).
 */
package io.gptlens.core.model;
