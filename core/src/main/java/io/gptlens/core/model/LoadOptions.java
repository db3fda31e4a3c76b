package io.gptlens.core.model;

/**
 * How to load a model.
 *
 * @param gpuLayers layers to offload to a GPU; 0 = CPU only, -1 = all (default 0)
 * @param mmap      memory-map the file instead of reading it (default true)
 * @param vocabOnly load only the vocabulary (a tokenizer; default false)
 */
public record LoadOptions(int gpuLayers, boolean mmap, boolean vocabOnly) {

    /** CPU, memory-mapped, full model. */
    public static LoadOptions defaults() {
        return new LoadOptions(0, true, false);
    }

    /** The same options with {@code vocabOnly} set. */
    public LoadOptions withVocabOnly(boolean v) {
        return new LoadOptions(gpuLayers, mmap, v);
    }
}
