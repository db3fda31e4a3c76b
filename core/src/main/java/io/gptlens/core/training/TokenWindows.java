package io.gptlens.core.training;

import java.util.Arrays;
import java.util.Objects;

/**
 * Fixed-length training windows: window {@code i} is {@code inputs[i*length .. (i+1)*length)} and
 * its next-token labels {@code labels[i*length .. (i+1)*length)}, each label the token that follows
 * its input in the text. Arrays are owned by this value and not copied: do not change them.
 */
public record TokenWindows(int[] inputs, int[] labels, int length) {

    public TokenWindows {
        Objects.requireNonNull(inputs);
        Objects.requireNonNull(labels);
        if (length < 1 || inputs.length != labels.length || inputs.length % length != 0) {
            throw new IllegalArgumentException("Windows of " + length + " tokens need equal inputs and labels of a multiple of "
                    + length + " tokens, got " + inputs.length + " and " + labels.length);
        }
    }

    /** Number of windows. */
    public int count() {
        return inputs.length / length;
    }

    /** Tokens in all windows. */
    public long tokens() {
        return inputs.length;
    }

    /**
     * Cuts a token stream into non-overlapping windows of {@code length} (the last partial window
     * is dropped): window {@code i} reads {@code stream[i*length .. i*length+length]}.
     */
    public static TokenWindows cut(int[] stream, int length) {
        int n = stream.length <= length ? 0 : (stream.length - 1) / length;
        int[] in = new int[n * length];
        int[] lab = new int[n * length];
        for (int i = 0; i < n; i++) {
            System.arraycopy(stream, i * length, in, i * length, length);
            System.arraycopy(stream, i * length + 1, lab, i * length, length);
        }
        return new TokenWindows(in, lab, length);
    }

    /** The windows at {@code indices}, in that order. */
    public TokenWindows select(int[] indices) {
        int[] in = new int[indices.length * length];
        int[] lab = new int[indices.length * length];
        for (int k = 0; k < indices.length; k++) {
            int i = Objects.checkIndex(indices[k], count());
            System.arraycopy(inputs, i * length, in, k * length, length);
            System.arraycopy(labels, i * length, lab, k * length, length);
        }
        return new TokenWindows(in, lab, length);
    }

    /** The first {@code n} windows (all of them if there are fewer). */
    public TokenWindows first(int n) {
        int k = Math.min(n, count());
        return new TokenWindows(Arrays.copyOf(inputs, k * length), Arrays.copyOf(labels, k * length), length);
    }

    /** Bytes of text the labels stand for, given each token's byte length. */
    public long labelBytes(int[] tokenBytes) {
        long b = 0;
        for (int t : labels) {
            b += tokenBytes[t];
        }
        return b;
    }
}
