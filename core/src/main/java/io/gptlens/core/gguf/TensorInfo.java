package io.gptlens.core.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of a GGUF tensor directory.
 *
 * @param name   the tensor's name, e.g. {@code token_embd.weight}
 * @param shape  dimensions in ggml order: {@code shape[0]} is the fastest-varying (a row's length)
 * @param type   element type
 * @param offset byte offset of the data, relative to the start of the file's data section
 */
public record TensorInfo(String name, long[] shape, GgmlType type, long offset) {

    public TensorInfo {
        Objects.requireNonNull(name);
        Objects.requireNonNull(type);
        shape = shape.clone();
    }

    /** The dimensions (a copy). */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements (product of the dimensions). */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Bytes of data. */
    public long byteSize() {
        return type.byteSize(elementCount());
    }

    /** Length of one row ({@code shape[0]}). */
    public long rowLength() {
        return shape.length == 0 ? 1 : shape[0];
    }

    /** Number of rows (product of the other dimensions). */
    public long rowCount() {
        return elementCount() / Math.max(1, rowLength());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && t.name.equals(name) && Arrays.equals(t.shape, shape) && t.type == type && t.offset == offset;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(shape), type, offset);
    }

    @Override
    public String toString() {
        return name + " " + Arrays.toString(shape) + " " + type + " @" + offset;
    }
}
