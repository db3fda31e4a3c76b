/** A minimal reader of ONNX models (protocol buffers wire format): initializers and nodes, for converting models to GGUF. */
package io.gptlens.core.onnx;
