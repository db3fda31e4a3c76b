package io.gptlens.core.training;

import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.charset.StandardCharsets;

/**
 * Everything that decides how a GPT is pre-trained from scratch: the tokenizer's size, the shape
 * of the llama-architecture model (RMSNorm, RoPE, SwiGLU, grouped-query attention), its random
 * initialisation and the optimizer's schedule. A value: two equal recipes on the same corpus give
 * the same tokenizer, the same initial weights and the same order of training windows.
 *
 * @param preset          the name of the preset this recipe came from ({@code tiny}, {@code default}, {@code large}) or {@code custom}
 * @param vocabularySize  tokens of the learned byte-level BPE vocabulary (256 bytes + merges + {@code <|endoftext|>})
 * @param embedding       d, the width of the residual stream
 * @param layers          transformer blocks
 * @param heads           attention heads (d must be a multiple)
 * @param kvHeads         key/value heads (grouped-query attention; {@code heads} must be a multiple)
 * @param feedForward     hidden width of the SwiGLU MLP
 * @param window          tokens per training window; also the model's context length. One window is one optimizer step
 *                        (llama.cpp's trainer takes one sequence per step); a multiple of 256, since llama.cpp pads
 *                        every context to one
 * @param tiedEmbeddings  W_U = W_E (no separate {@code output.weight})
 * @param initStd         standard deviation of the normal initialisation; the residual projections
 *                        ({@code attn_output}, {@code ffn_down}) get {@code initStd / sqrt(2 * layers)}
 * @param peakLearningRate AdamW's learning rate after warm-up
 * @param minLearningRate the learning rate the cosine decay ends at
 * @param warmupSteps     steps of linear warm-up from {@code peak / warmupSteps}
 * @param beta1           AdamW β1
 * @param beta2           AdamW β2 (0.95–0.99 for the small batches of one window per step)
 * @param epsilon         AdamW ε
 * @param weightDecay     AdamW's decoupled weight decay (ggml applies it to every trained tensor)
 * @param steps           optimizer steps (windows) to train for at most
 * @param timeBudget      wall-clock bound of the run, or {@code null} for none: the schedule is planned
 *                        so that the cosine decay ends when the budget does (see {@link TrainingRun})
 * @param seed            seeds the initial weights and the order of the windows
 */
public record TrainingRecipe(String preset, int vocabularySize, int embedding, int layers, int heads, int kvHeads, int feedForward,
                             int window, boolean tiedEmbeddings, double initStd, double peakLearningRate, double minLearningRate,
                             int warmupSteps, double beta1, double beta2, double epsilon, double weightDecay, long steps,
                             Duration timeBudget, long seed) {

    public TrainingRecipe {
        require(vocabularySize >= 258 && vocabularySize <= 1 << 20, "vocabularySize", vocabularySize, "258 to 1048576");
        require(embedding >= 8 && embedding <= 8192, "embedding", embedding, "8 to 8192");
        require(layers >= 1 && layers <= 64, "layers", layers, "1 to 64");
        require(heads >= 1 && embedding % heads == 0 && (embedding / heads) % 2 == 0, "heads", heads,
                "a divisor of embedding " + embedding + " giving an even head size");
        require(kvHeads >= 1 && heads % kvHeads == 0, "kvHeads", kvHeads, "a divisor of heads " + heads);
        require(feedForward >= 8 && feedForward <= 65536, "feedForward", feedForward, "8 to 65536");
        // llama.cpp (this version) pads every context to a multiple of 256 tokens, and its trainer reads windows of the padded length
        require(window >= 256 && window <= 8192 && window % 256 == 0, "window", window, "a multiple of 256 from 256 to 8192");
        require(initStd > 0 && initStd < 1, "initStd", initStd, "(0, 1)");
        require(peakLearningRate > 0 && peakLearningRate < 1, "peakLearningRate", peakLearningRate, "(0, 1)");
        require(minLearningRate >= 0 && minLearningRate <= peakLearningRate, "minLearningRate", minLearningRate, "0 to peakLearningRate");
        require(warmupSteps >= 0, "warmupSteps", warmupSteps, ">= 0");
        require(beta1 >= 0 && beta1 < 1, "beta1", beta1, "[0, 1)");
        require(beta2 >= 0 && beta2 < 1, "beta2", beta2, "[0, 1)");
        require(epsilon > 0 && epsilon < 1, "epsilon", epsilon, "(0, 1)");
        require(weightDecay >= 0 && weightDecay < 1, "weightDecay", weightDecay, "[0, 1)");
        require(steps >= 1 && steps <= 100_000_000, "steps", steps, "1 to 100000000");
        if (timeBudget != null && (timeBudget.isNegative() || timeBudget.isZero())) {
            throw new IllegalArgumentException("timeBudget must be positive, got " + timeBudget);
        }
        preset = preset == null ? "custom" : preset;
    }

    private static void require(boolean ok, String name, Object value, String range) {
        if (!ok) {
            throw new IllegalArgumentException("Training recipe: " + name + " = " + value + " is out of range; allowed: " + range);
        }
    }

    /** This recipe with another step count. */
    public TrainingRecipe withSteps(long n) {
        return new TrainingRecipe(preset, vocabularySize, embedding, layers, heads, kvHeads, feedForward, window, tiedEmbeddings, initStd,
                peakLearningRate, minLearningRate, warmupSteps, beta1, beta2, epsilon, weightDecay, n, timeBudget, seed);
    }

    /** This recipe with another time budget ({@code null}: none). */
    public TrainingRecipe withTimeBudget(Duration d) {
        return new TrainingRecipe(preset, vocabularySize, embedding, layers, heads, kvHeads, feedForward, window, tiedEmbeddings, initStd,
                peakLearningRate, minLearningRate, warmupSteps, beta1, beta2, epsilon, weightDecay, steps, d, seed);
    }

    /** This recipe with another vocabulary size (a corpus may give fewer tokens than asked for). */
    public TrainingRecipe withVocabulary(int v) {
        return new TrainingRecipe(preset, v, embedding, layers, heads, kvHeads, feedForward, window, tiedEmbeddings, initStd,
                peakLearningRate, minLearningRate, warmupSteps, beta1, beta2, epsilon, weightDecay, steps, timeBudget, seed);
    }

    /** This recipe with another seed. */
    public TrainingRecipe withSeed(long s) {
        return new TrainingRecipe(preset, vocabularySize, embedding, layers, heads, kvHeads, feedForward, window, tiedEmbeddings, initStd,
                peakLearningRate, minLearningRate, warmupSteps, beta1, beta2, epsilon, weightDecay, steps, timeBudget, s);
    }

    /** Head size d / heads. */
    public int headSize() {
        return embedding / heads;
    }

    /** Parameters of the model this recipe makes (W_U counted only when untied). */
    public long parameterCount() {
        long d = embedding;
        long kv = (long) kvHeads * headSize();
        long perLayer = 2 * d + d * d + 2 * d * kv + d * d + 3 * d * feedForward;
        return (long) vocabularySize * d * (tiedEmbeddings ? 1 : 2) + d + layers * perLayer;
    }

    /**
     * A short name that encodes the corpus, the tokenizer and the recipe, for files kept in the
     * data folder: {@code gpt-<corpus>-bpe<V>-d<d>x<layers>-w<window>-<hash>}, the hash covering every field.
     */
    public String modelName(String corpusName) {
        String corpus = corpusName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        return "gpt-%s-bpe%d-d%dx%d-w%d-%s".formatted(corpus.isEmpty() ? "text" : corpus, vocabularySize, embedding, layers, window,
                hash(corpusName).substring(0, 8));
    }

    private String hash(String corpusName) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest((corpusName + "|" + this).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
