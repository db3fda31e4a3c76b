package io.gptlens.llamacpp;

import io.gptlens.core.distribution.Candidates;
import io.gptlens.llamacpp.internal.Layouts;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Moves candidates between {@link Candidates} and llama.cpp's {@code llama_token_data_array}
 * ({@code data}, {@code size}, {@code selected}, {@code sorted}). Probabilities travel only when
 * they are valid on the Java side; coming back from llama.cpp they are marked invalid, since C
 * stages leave stale {@code p} values behind.
 */
final class TokenDataArrays {

    static final long STRIDE = Layouts.TOKEN_DATA.byteSize();
    private static final long DATA = Layouts.offset(Layouts.TOKEN_DATA_ARRAY, "data");
    private static final long SIZE = Layouts.offset(Layouts.TOKEN_DATA_ARRAY, "size");
    private static final long SELECTED = Layouts.offset(Layouts.TOKEN_DATA_ARRAY, "selected");
    private static final long SORTED = Layouts.offset(Layouts.TOKEN_DATA_ARRAY, "sorted");

    private TokenDataArrays() {
    }

    /** A new array in {@code arena} holding {@code c}, nothing selected. */
    static MemorySegment of(Arena arena, Candidates c) {
        MemorySegment data = arena.allocate(Layouts.TOKEN_DATA, c.size());
        MemorySegment arr = arena.allocate(Layouts.TOKEN_DATA_ARRAY);
        arr.set(ADDRESS, DATA, data);
        write(arr, c, -1);
        return arr;
    }

    /** Views an array handed over by llama.cpp (a pointer of unknown size). */
    static MemorySegment view(MemorySegment pointer) {
        return pointer.reinterpret(Layouts.TOKEN_DATA_ARRAY.byteSize());
    }

    static int size(MemorySegment arr) {
        long n = arr.get(JAVA_LONG, SIZE);
        if (n < 0 || n > Integer.MAX_VALUE) {
            throw new IllegalStateException("llama_token_data_array has an impossible size " + n);
        }
        return (int) n;
    }

    static long selected(MemorySegment arr) {
        return arr.get(JAVA_LONG, SELECTED);
    }

    static void select(MemorySegment arr, long index) {
        arr.set(JAVA_LONG, SELECTED, index);
    }

    /**
     * Writes {@code c} into the array's own buffer, which must hold at least {@code c.size()}
     * entries (callers only ever shrink), and sets {@code selected}.
     */
    static void write(MemorySegment arr, Candidates c, long selected) {
        int n = c.size();
        MemorySegment data = arr.get(ADDRESS, DATA).reinterpret(n * STRIDE);
        boolean probs = c.probabilitiesValid();
        for (int i = 0; i < n; i++) {
            data.set(JAVA_INT, i * STRIDE, c.id(i));
            data.set(JAVA_FLOAT, i * STRIDE + 4, c.logit(i));
            data.set(JAVA_FLOAT, i * STRIDE + 8, probs ? c.p(i) : 0f);
        }
        arr.set(JAVA_LONG, SIZE, n);
        arr.set(JAVA_LONG, SELECTED, selected);
        arr.set(JAVA_BOOLEAN, SORTED, c.isSorted());
    }

    /**
     * Candidates holding the array's entries (capacity = its size, so a Java stage can only
     * shrink them).
     */
    static Candidates read(MemorySegment arr) {
        int n = size(arr);
        if (n < 1) {
            throw new IllegalStateException("llama.cpp handed over no candidates");
        }
        int[] ids = new int[n];
        float[] logits = new float[n];
        float[] p = new float[n];
        readInto(arr, n, ids, logits, p);
        Candidates c = Candidates.of(ids, logits);
        c.replace(ids, logits, p, n, arr.get(JAVA_BOOLEAN, SORTED), false);
        return c;
    }

    /**
     * Replaces {@code c}'s entries with the array's (which must not have grown) and returns the
     * selected index, or -1 when none is selected.
     */
    static int readBack(MemorySegment arr, Candidates c, String who) {
        int capacity = c.size();
        int m = size(arr);
        if (m < 1 || m > capacity) {
            throw new IllegalStateException(who + " left " + m + " candidates of " + capacity);
        }
        int[] ids = new int[m];
        float[] logits = new float[m];
        float[] p = new float[m];
        readInto(arr, m, ids, logits, p);
        c.replace(ids, logits, p, m, arr.get(JAVA_BOOLEAN, SORTED), false);
        long selected = selected(arr);
        return selected >= 0 && selected < m ? (int) selected : -1;
    }

    private static void readInto(MemorySegment arr, int n, int[] ids, float[] logits, float[] p) {
        MemorySegment data = arr.get(ADDRESS, DATA).reinterpret(n * STRIDE);
        for (int i = 0; i < n; i++) {
            ids[i] = data.get(JAVA_INT, i * STRIDE);
            logits[i] = data.get(JAVA_FLOAT, i * STRIDE + 4);
            p[i] = data.get(JAVA_FLOAT, i * STRIDE + 8);
        }
    }
}
