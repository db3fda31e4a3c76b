package io.gptlens.core.model;

import io.gptlens.core.tokenizer.Tokenizer;
import io.gptlens.core.training.TrainingContext;
import io.gptlens.core.training.TrainingOptions;

/**
 * A loaded model: its facts, its tokenizer, its weights as far as GPTLens shows them, and sessions.
 *
 * <p><b>Thread-safety:</b> safe for concurrent use; sessions are separate objects used by one
 * thread each. <b>Ownership:</b> the model owns its native weights and must be closed after
 * every session it opened; closing twice is safe; use after close throws {@link IllegalStateException}.
 */
public interface Model extends AutoCloseable {

    /** Facts about the model. */
    ModelInfo info();

    /** The model's tokenizer (valid while the model is open). */
    Tokenizer tokenizer();

    /** What a model is for, as the views and the API offer it. */
    enum Kind {
        /** A language model: it predicts the next token. */
        GENERATOR,
        /** An encoder that pools sentence embeddings (BERT and kin); it has no language-model head. */
        EMBEDDER,
        /** A vocabulary only: it tokenizes, nothing more. */
        VOCABULARY
    }

    /** What this model is for. */
    default Kind kind() {
        return info().vocabOnly() ? Kind.VOCABULARY : Kind.GENERATOR;
    }

    /** True if this model can run (it has weights, not just a vocabulary, and a language-model head). */
    default boolean canGenerate() {
        return kind() == Kind.GENERATOR;
    }

    /** The GGUF file the model was loaded from (metadata and tensor directory), where the backend reads one. */
    default java.util.Optional<io.gptlens.core.gguf.GgufFile> gguf() {
        return java.util.Optional.empty();
    }

    /**
     * Opens a session.
     *
     * @throws UnsupportedOperationException for a vocabulary-only model
     */
    Session newSession(SessionOptions options);

    /** Row {@code token} of the embedding matrix W_E, as floats. */
    float[] embeddingRow(int token);

    /** Row {@code token} of the unembedding matrix W_U (equal to W_E's row when they are tied). */
    float[] unembeddingRow(int token);

    /** True if the model has no separate output matrix, so W_U = W_E. */
    boolean tiedEmbeddings();

    /** W_E as a whole: its shape, its tensor and its rows. */
    default EmbeddingMatrix embeddings() {
        return new EmbeddingMatrix(EmbeddingMatrix.Role.EMBEDDING, "token_embd.weight", info().vocabularySize(), info().embeddingLength(),
                tiedEmbeddings(), this::embeddingRow);
    }

    /** W_U as a whole (W_E's tensor when they are tied). */
    default EmbeddingMatrix unembeddings() {
        return new EmbeddingMatrix(EmbeddingMatrix.Role.UNEMBEDDING, tiedEmbeddings() ? "token_embd.weight" : "output.weight",
                info().vocabularySize(), info().embeddingLength(), tiedEmbeddings(), this::unembeddingRow);
    }

    /**
     * Runs the model over a prompt and captures its internals: attention probabilities and the
     * residual stream of every layer.
     *
     * @throws UnsupportedOperationException if the backend cannot capture them
     * @throws IllegalArgumentException      for invalid tokens or a prompt longer than the backend allows
     */
    default Internals internals(int[] tokens) {
        return internals(tokens, Internals.Capture.all());
    }

    /** The model's final normalisation, for the logit lens; empty where the backend does not know it. */
    default java.util.Optional<LogitLens.Norm> finalNorm() {
        return java.util.Optional.empty();
    }

    /**
     * As {@link #internals(int[])}, keeping only what {@code capture} asks for (memory stays
     * bounded on large models and long prompts).
     */
    default Internals internals(int[] tokens, Internals.Capture capture) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot capture internals");
    }

    /**
     * The logits after the last of {@code tokens} with {@code patches} written into the residual stream
     * as it is computed (activation patching). A patch of the last layer at any position but the last
     * changes nothing: that layer's other rows do not reach the last position.
     *
     * @throws UnsupportedOperationException where the backend cannot write activations in place
     * @throws IllegalArgumentException      for invalid tokens, a prompt too long, or a patch out of range
     */
    default float[] patchedLogits(int[] tokens, java.util.List<Patch> patches) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot patch activations");
    }

    /**
     * {@code tokens} ready to be run with one set of patches after another ({@link #patchedLogits} each
     * time, unless the backend keeps what the runs share). Close it when the sweep is done.
     *
     * @throws UnsupportedOperationException where the backend cannot write activations in place
     * @throws IllegalArgumentException      for invalid tokens or a prompt too long
     */
    default Patcher patcher(int[] tokens) {
        int[] prompt = tokens.clone();
        return new Patcher() {
            @Override
            public float[] logits(java.util.List<Patch> patches) {
                return patchedLogits(prompt, patches);
            }

            @Override
            public void close() {
            }
        };
    }

    /**
     * Opens this model for training its weights in place (pre-training or fine-tuning). Needs a
     * model whose weights are in memory (loaded without mmap) and trainable (F32).
     *
     * @throws UnsupportedOperationException if this backend or model cannot train
     */
    default TrainingContext openTraining(TrainingOptions options) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot train");
    }

    /**
     * The model's chat template ({@code tokenizer.chat_template} in a GGUF file): a Jinja template
     * in Hugging Face's conventions; empty when the model carries none.
     */
    default java.util.Optional<String> chatTemplate() {
        return java.util.Optional.empty();
    }

    /**
     * Sampler stages that need this model (for llama.cpp: {@code llama.grammar}, which reads the
     * vocabulary); a chain for this model may use them besides the global ones. Each stage they
     * make must be closed before the model.
     */
    default java.util.List<io.gptlens.core.sampling.SamplerProvider> samplerProviders() {
        return java.util.List.of();
    }

    @Override
    void close();
}
