package io.gptlens.core.sampling;

import java.util.Arrays;

/** A bounded ring of the most recently accepted tokens, oldest first. Not thread-safe. */
final class TokenHistory {

    private final int[] ring;
    private int start;
    private int size;

    TokenHistory(int capacity) {
        ring = new int[Math.max(0, capacity)];
    }

    void add(int token) {
        if (ring.length == 0) {
            return;
        }
        if (size < ring.length) {
            ring[(start + size) % ring.length] = token;
            size++;
        } else {
            ring[start] = token;
            start = (start + 1) % ring.length;
        }
    }

    int size() {
        return size;
    }

    /** Token {@code i}, 0 = oldest. */
    int get(int i) {
        return ring[(start + i) % ring.length];
    }

    void clear() {
        start = 0;
        size = 0;
    }

    TokenHistory copy() {
        TokenHistory h = new TokenHistory(ring.length);
        System.arraycopy(ring, 0, h.ring, 0, ring.length);
        h.start = start;
        h.size = size;
        return h;
    }

    @Override
    public String toString() {
        int[] a = new int[size];
        Arrays.setAll(a, this::get);
        return Arrays.toString(a);
    }
}
