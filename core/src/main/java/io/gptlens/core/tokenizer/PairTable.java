package io.gptlens.core.tokenizer;

import java.util.Arrays;

/**
 * An open-addressing hash map from a non-negative {@code long} key (in BPE: a pair of symbol ids,
 * {@code left << 32 | right}) to a {@code long} value, without boxing: the pair tables of
 * {@link ByteLevelBpe} and of the BPE trainer. Not thread-safe while it is being filled; safe to
 * read from many threads once filled.
 */
public final class PairTable {
    /** What {@link #get} returns for a key that is not there. */
    public static final long MISSING = -1L;
    private long[] keys;
    private long[] values;
    private int size;

    /** A table for about {@code expected} keys (it grows as needed). */
    public PairTable(int expected) {
        int cap = Integer.highestOneBit(Math.max(16, expected * 2 + 1)) << 1;
        keys = new long[cap];
        values = new long[cap];
        Arrays.fill(keys, -1L);
    }

    /** The value of {@code key}, or {@link #MISSING}. */
    public long get(long key) {
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                return values[i];
            }
            if (k == -1L) {
                return MISSING;
            }
        }
    }

    /** Sets {@code key} to {@code value}, replacing an earlier value. */
    public void put(long key, long value) {
        store(key, value, true);
    }

    /** Sets {@code key} to {@code value} unless it has a value already. */
    public void putIfAbsent(long key, long value) {
        store(key, value, false);
    }

    private void store(long key, long value, boolean replace) {
        if ((size + 1) * 2 > keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            if (keys[i] == key) {
                if (replace) {
                    values[i] = value;
                }
                return;
            }
            if (keys[i] == -1L) {
                keys[i] = key;
                values[i] = value;
                size++;
                return;
            }
        }
    }

    private void grow() {
        long[] oldKeys = keys;
        long[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new long[oldKeys.length * 2];
        Arrays.fill(keys, -1L);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != -1L) {
                store(oldKeys[i], oldValues[i], false);
            }
        }
    }

    private static int mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29));
    }
}
