/**
 * Steering: directions in the residual stream ({@link io.gptlens.core.steering.Direction}), made
 * from W_E arithmetic or contrastive prompts ({@link io.gptlens.core.steering.Contrastive}),
 * kept in llama.cpp's control-vector format ({@link io.gptlens.core.steering.ControlVectorFile}),
 * and applied to a session with a strength over a layer range ({@link io.gptlens.core.steering.Steering}).
 */
package io.gptlens.core.steering;
