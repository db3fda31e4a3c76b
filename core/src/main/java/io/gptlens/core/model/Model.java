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

    /** True if this model can run (it has weights, not just a vocabulary). */
    default boolean canGenerate() {
        return !info().vocabOnly();
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
     * Opens this model for training its weights in place (pre-training or fine-tuning). Needs a
     * model whose weights are in memory (loaded without mmap) and trainable (F32).
     *
     * @throws UnsupportedOperationException if this backend or model cannot train
     */
    default TrainingContext openTraining(TrainingOptions options) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot train");
    }

    @Override
    void close();
}
