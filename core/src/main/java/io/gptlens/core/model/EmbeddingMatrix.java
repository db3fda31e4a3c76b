package io.gptlens.core.model;

import java.util.Locale;
import java.util.function.IntFunction;

/**
 * One of a GPT's two vocabulary-sized matrices, the one home of the concept: W_E, whose row i is
 * token i's vector going in, or W_U, which turns the last vector into one logit per token. When
 * they are tied, W_U is W_E used transposed (one tensor, {@code token_embd.weight}).
 *
 * @param role       which of the two
 * @param tensor     the GGUF tensor that holds it
 * @param tokens     rows: the vocabulary's size
 * @param dimensions the embedding length d
 * @param tied       true if W_U is W_E
 * @param rows       token i's row as floats (d of them)
 */
public record EmbeddingMatrix(Role role, String tensor, int tokens, int dimensions, boolean tied, IntFunction<float[]> rows) {

    /** W_E or W_U. */
    public enum Role {
        /** W_E: token id → vector. */
        EMBEDDING("W_E"),
        /** W_U: last vector → logits. */
        UNEMBEDDING("W_U");

        private final String symbol;

        Role(String symbol) {
            this.symbol = symbol;
        }

        /** "W_E" or "W_U". */
        public String symbol() {
            return symbol;
        }
    }

    /** Token {@code token}'s row. */
    public float[] row(int token) {
        if (token < 0 || token >= tokens) {
            throw new IllegalArgumentException("Token id " + token + " is outside " + role.symbol() + "'s " + tokens + " rows");
        }
        return rows.apply(token);
    }

    /** Its weight count. */
    public long size() {
        return (long) tokens * dimensions;
    }

    /**
     * The shape as the product is written, in the order the walk multiplies: W_E is
     * {@code n_vocab × d} (a row per token), W_U is {@code d × n_vocab} (the last vector times it),
     * e.g. "896 × 151,936 = 136,134,656".
     */
    public String shape() {
        int a = role == Role.EMBEDDING ? tokens : dimensions;
        int b = role == Role.EMBEDDING ? dimensions : tokens;
        return String.format(Locale.ROOT, "%,d × %,d = %,d", a, b, size());
    }
}
