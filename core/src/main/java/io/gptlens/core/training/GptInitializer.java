package io.gptlens.core.training;

import io.gptlens.core.gguf.GgufWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes a llama-architecture GPT with random weights as a GGUF file that llama.cpp loads and
 * trains: F32 tensors (ggml's training needs them), the tokenizer of a {@link BpeVocabulary}, and
 * the hyperparameters of a {@link TrainingRecipe}.
 *
 * <p>Initialisation (GPT-2's scheme): every matrix ~ N(0, initStd²), the two projections that
 * write into the residual stream ({@code attn_output}, {@code ffn_down}) ~ N(0, (initStd / √(2·layers))²)
 * so the stream's variance does not grow with depth, every RMSNorm weight 1. W_E starts random —
 * its rows mean nothing until training gives them meaning. Tensor shapes are in ggml order (row
 * length first), as llama.cpp's {@code llama} architecture expects them.
 */
public final class GptInitializer {

    /** llama.cpp's key prefix of the architecture. */
    static final String ARCH = "llama";

    private GptInitializer() {
    }

    /** Writes the initial model of {@code recipe} with {@code vocabulary} to {@code file} (atomically). */
    public static void write(TrainingRecipe recipe, BpeVocabulary vocabulary, String name, Path file) throws IOException {
        int v = vocabulary.tokens().size();
        if (v != recipe.vocabularySize() && v > recipe.vocabularySize()) {
            throw new IllegalArgumentException("The vocabulary has " + v + " tokens, more than the recipe's " + recipe.vocabularySize());
        }
        int d = recipe.embedding();
        int kv = recipe.kvHeads() * recipe.headSize();
        int ff = recipe.feedForward();
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", ARCH).putString("general.name", name);
        w.putUInt32("general.file_type", 0); // LLAMA_FTYPE_ALL_F32
        w.putUInt32(ARCH + ".context_length", recipe.window());
        w.putUInt32(ARCH + ".embedding_length", d);
        w.putUInt32(ARCH + ".block_count", recipe.layers());
        w.putUInt32(ARCH + ".feed_forward_length", ff);
        w.putUInt32(ARCH + ".attention.head_count", recipe.heads());
        w.putUInt32(ARCH + ".attention.head_count_kv", recipe.kvHeads());
        w.putUInt32(ARCH + ".rope.dimension_count", recipe.headSize());
        w.putFloat32(ARCH + ".rope.freq_base", 10000f);
        w.putFloat32(ARCH + ".attention.layer_norm_rms_epsilon", 1e-5f);
        w.putUInt32(ARCH + ".vocab_size", v);
        vocabulary.writeTo(w);

        SplittableRandom r = new SplittableRandom(recipe.seed());
        double std = recipe.initStd();
        double residualStd = std / Math.sqrt(2.0 * recipe.layers());
        w.addTensor("token_embd.weight", normal(r, (long) d * v, std), d, v);
        w.addTensor("output_norm.weight", ones(d), d);
        if (!recipe.tiedEmbeddings()) {
            w.addTensor("output.weight", normal(r, (long) d * v, std), d, v);
        }
        for (int l = 0; l < recipe.layers(); l++) {
            String b = "blk." + l + ".";
            w.addTensor(b + "attn_norm.weight", ones(d), d);
            w.addTensor(b + "attn_q.weight", normal(r, (long) d * d, std), d, d);
            w.addTensor(b + "attn_k.weight", normal(r, (long) d * kv, std), d, kv);
            w.addTensor(b + "attn_v.weight", normal(r, (long) d * kv, std), d, kv);
            w.addTensor(b + "attn_output.weight", normal(r, (long) d * d, residualStd), d, d);
            w.addTensor(b + "ffn_norm.weight", ones(d), d);
            w.addTensor(b + "ffn_gate.weight", normal(r, (long) d * ff, std), d, ff);
            w.addTensor(b + "ffn_up.weight", normal(r, (long) d * ff, std), d, ff);
            w.addTensor(b + "ffn_down.weight", normal(r, (long) ff * d, residualStd), ff, d);
        }
        w.write(file);
    }

    private static float[] normal(SplittableRandom r, long n, double std) {
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("A tensor of " + n + " values is too large to initialise in memory");
        }
        float[] a = new float[(int) n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (r.nextGaussian() * std);
        }
        return a;
    }

    private static float[] ones(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, 1f);
        return a;
    }
}
