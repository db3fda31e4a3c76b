package io.gptlens.core.steering;

import java.util.Arrays;

/**
 * A direction to steer a model along: one vector of {@code embedding} floats per layer, added to the
 * residual stream after that layer's block ({@code l_out}, where llama.cpp adds a control vector).
 * Layer 0 has none: llama.cpp's control vectors start at layer 1 (block 0's output cannot be
 * steered), so {@code vectors[0]} is always null.
 *
 * @param name      what it means, e.g. {@code "woman - man"}
 * @param embedding the model's embedding length d
 * @param vectors   per layer, the vector (length d) or null for none; {@code vectors.length} is the
 *                  model's layer count
 */
public record Direction(String name, int embedding, float[][] vectors) {

    public Direction {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("A direction needs a name");
        }
        if (embedding < 1 || vectors.length < 2) {
            throw new IllegalArgumentException("A direction needs an embedding length >= 1 and >= 2 layers, got " + embedding + " and " + vectors.length);
        }
        vectors = vectors.clone();
        if (vectors[0] != null) {
            throw new IllegalArgumentException("Layer 0's output cannot be steered (llama.cpp's control vectors start at layer 1)");
        }
        for (int l = 1; l < vectors.length; l++) {
            if (vectors[l] != null) {
                if (vectors[l].length != embedding) {
                    throw new IllegalArgumentException("Layer " + l + "'s vector has " + vectors[l].length + " values, not " + embedding);
                }
                for (float v : vectors[l]) {
                    if (!Float.isFinite(v)) {
                        throw new IllegalArgumentException("Layer " + l + "'s vector holds " + v);
                    }
                }
                vectors[l] = vectors[l].clone();
            }
        }
    }

    /** The same vector {@code v} at every layer in {@code [first, last]} of a {@code layers}-layer model (e.g. a W_E difference). */
    public static Direction uniform(String name, float[] v, int layers, int first, int last) {
        checkRange(layers, first, last);
        float[][] vs = new float[layers][];
        for (int l = first; l <= last; l++) {
            vs[l] = v;
        }
        return new Direction(name, v.length, vs);
    }

    static void checkRange(int layers, int first, int last) {
        if (first < 1 || last < first || last >= layers) {
            throw new IllegalArgumentException("Layers must satisfy 1 <= first <= last < " + layers + ", got [" + first + ", " + last + "]");
        }
    }

    public int layers() {
        return vectors.length;
    }

    @Override
    public float[][] vectors() {
        float[][] out = vectors.clone();
        for (int l = 0; l < out.length; l++) {
            out[l] = out[l] == null ? null : out[l].clone();
        }
        return out;
    }

    /** Layer {@code l}'s vector, or null (a view: do not change it). */
    public float[] at(int l) {
        return vectors[l];
    }

    /** The first and last layers that have a vector, or null when none has. */
    public int[] span() {
        int first = -1;
        int last = -1;
        for (int l = 0; l < vectors.length; l++) {
            if (vectors[l] != null) {
                first = first < 0 ? l : first;
                last = l;
            }
        }
        return first < 0 ? null : new int[]{first, last};
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Direction d && name.equals(d.name) && embedding == d.embedding && Arrays.deepEquals(vectors, d.vectors);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.deepHashCode(vectors);
    }
}
