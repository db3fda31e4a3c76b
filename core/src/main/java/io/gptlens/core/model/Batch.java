package io.gptlens.core.model;

import java.util.Arrays;

/**
 * Tokens to evaluate together: for each, its position in its sequence, the sequence id, and
 * whether logits are wanted for it. Immutable.
 *
 * @param tokens    token ids
 * @param positions position of each token within its sequence (0-based)
 * @param sequences sequence id of each token
 * @param outputs   whether to compute logits for each token
 */
public record Batch(int[] tokens, int[] positions, int[] sequences, boolean[] outputs) {

    public Batch {
        if (tokens.length == 0 || positions.length != tokens.length || sequences.length != tokens.length || outputs.length != tokens.length) {
            throw new IllegalArgumentException("A batch needs one position, sequence and output flag per token, and at least one token");
        }
        tokens = tokens.clone();
        positions = positions.clone();
        sequences = sequences.clone();
        outputs = outputs.clone();
    }

    /**
     * Consecutive tokens of one sequence starting at {@code start}; logits only for the last.
     */
    public static Batch of(int[] tokens, int start, int sequence) {
        int[] pos = new int[tokens.length];
        Arrays.setAll(pos, i -> start + i);
        int[] seq = new int[tokens.length];
        Arrays.fill(seq, sequence);
        boolean[] out = new boolean[tokens.length];
        out[tokens.length - 1] = true;
        return new Batch(tokens, pos, seq, out);
    }

    /** Like {@link #of} but with logits for every token (for log-probabilities of a prompt). */
    public static Batch allOutputs(int[] tokens, int start, int sequence) {
        Batch b = of(tokens, start, sequence);
        boolean[] out = new boolean[tokens.length];
        Arrays.fill(out, true);
        return new Batch(b.tokens, b.positions, b.sequences, out);
    }

    public int size() {
        return tokens.length;
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public int[] positions() {
        return positions.clone();
    }

    @Override
    public int[] sequences() {
        return sequences.clone();
    }

    @Override
    public boolean[] outputs() {
        return outputs.clone();
    }

    /** Token {@code i}. */
    public int token(int i) {
        return tokens[i];
    }

    /** Position of token {@code i}. */
    public int position(int i) {
        return positions[i];
    }

    /** Sequence of token {@code i}. */
    public int sequence(int i) {
        return sequences[i];
    }

    /** Whether logits are wanted for token {@code i}. */
    public boolean output(int i) {
        return outputs[i];
    }
}
