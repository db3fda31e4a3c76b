package io.gptlens.core.model;

import java.util.Map;

/**
 * What a loaded model is: the numbers an explanation of a GPT starts with.
 *
 * @param architecture   {@code general.architecture}, e.g. "llama"
 * @param name           {@code general.name} or the file name
 * @param description    the runtime's one-line description (type, size, quantization)
 * @param embeddingLength d_model, the width of the residual stream
 * @param layers         number of transformer blocks
 * @param heads          attention heads per layer (query heads)
 * @param headsKv        key/value heads per layer (fewer than {@code heads} with grouped-query attention)
 * @param contextLength  the context length the model was trained with
 * @param vocabularySize number of tokens
 * @param parameterCount total parameters (0 for a vocabulary-only file)
 * @param sizeBytes      bytes of weights
 * @param vocabOnly      true if only the vocabulary was loaded (no weights: tokenize only)
 * @param metadata       every GGUF metadata entry, as display strings (large arrays abbreviated)
 */
public record ModelInfo(String architecture, String name, String description, int embeddingLength, int layers, int heads,
                        int headsKv, int contextLength, int vocabularySize, long parameterCount, long sizeBytes,
                        boolean vocabOnly, Map<String, String> metadata) {

    public ModelInfo {
        metadata = Map.copyOf(metadata);
    }
}
