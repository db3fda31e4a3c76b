package io.gptlens.core.gguf;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One metadata value of a GGUF file: a closed hierarchy, one record per GGUF value type.
 *
 * <p>Unsigned integers are held in the next wider Java type ({@code UINT8} in an {@code int},
 * {@code UINT32} in a {@code long}); {@code UINT64} is held in a {@code long} and read with
 * {@link Long#toUnsignedString(long)} when shown. Arrays of numbers are held as primitive arrays,
 * arrays of strings as {@code List<String>}. Values are immutable.
 */
public sealed interface GgufValue {

    /** The GGUF type of this value. */
    GgufValueType type();

    /** This value as a long, for any integer type (and bool as 0/1). */
    default long asLong() {
        throw new IllegalStateException("Not an integer: " + this);
    }

    /** This value as a double, for any numeric type. */
    default double asDouble() {
        return asLong();
    }

    /** A short human-readable form (long arrays are abbreviated). */
    String display();

    /** An integer of any integer type; {@code type} tells which. */
    record Int(GgufValueType type, long value) implements GgufValue {
        public Int {
            Objects.requireNonNull(type);
            if (type.size() < 0 || type == GgufValueType.FLOAT32 || type == GgufValueType.FLOAT64 || type == GgufValueType.BOOL) {
                throw new IllegalArgumentException("Not an integer type: " + type);
            }
        }

        @Override
        public long asLong() {
            return value;
        }

        @Override
        public String display() {
            return type == GgufValueType.UINT64 ? Long.toUnsignedString(value) : Long.toString(value);
        }
    }

    /** A FLOAT32 or FLOAT64. */
    record Float(GgufValueType type, double value) implements GgufValue {
        public Float {
            if (type != GgufValueType.FLOAT32 && type != GgufValueType.FLOAT64) {
                throw new IllegalArgumentException("Not a float type: " + type);
            }
        }

        @Override
        public double asDouble() {
            return value;
        }

        @Override
        public String display() {
            return type == GgufValueType.FLOAT32 ? java.lang.Float.toString((float) value) : Double.toString(value);
        }
    }

    /** A BOOL. */
    record Bool(boolean value) implements GgufValue {
        @Override
        public GgufValueType type() {
            return GgufValueType.BOOL;
        }

        @Override
        public long asLong() {
            return value ? 1 : 0;
        }

        @Override
        public String display() {
            return Boolean.toString(value);
        }
    }

    /** A UTF-8 STRING. */
    record Str(String value) implements GgufValue {
        public Str {
            Objects.requireNonNull(value);
        }

        @Override
        public GgufValueType type() {
            return GgufValueType.STRING;
        }

        @Override
        public String display() {
            return value.length() > 80 ? value.substring(0, 77) + "..." : value;
        }
    }

    /**
     * An ARRAY of integers (any integer type, or BOOL as 0/1) held as longs.
     */
    record IntArray(GgufValueType elementType, long[] values) implements GgufValue {
        public IntArray {
            values = values.clone();
        }

        @Override
        public GgufValueType type() {
            return GgufValueType.ARRAY;
        }

        /** The elements (a copy). */
        @Override
        public long[] values() {
            return values.clone();
        }

        /** Element {@code i}. */
        public long get(int i) {
            return values[i];
        }

        /** Number of elements. */
        public int size() {
            return values.length;
        }

        @Override
        public String display() {
            return "[" + elementType + " x " + values.length + "]";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof IntArray a && a.elementType == elementType && Arrays.equals(a.values, values);
        }

        @Override
        public int hashCode() {
            return elementType.hashCode() * 31 + Arrays.hashCode(values);
        }
    }

    /** An ARRAY of FLOAT32 or FLOAT64. */
    record FloatArray(GgufValueType elementType, double[] values) implements GgufValue {
        public FloatArray {
            values = values.clone();
        }

        @Override
        public GgufValueType type() {
            return GgufValueType.ARRAY;
        }

        /** The elements (a copy). */
        @Override
        public double[] values() {
            return values.clone();
        }

        /** Element {@code i}. */
        public double get(int i) {
            return values[i];
        }

        /** Number of elements. */
        public int size() {
            return values.length;
        }

        @Override
        public String display() {
            return "[" + elementType + " x " + values.length + "]";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FloatArray a && a.elementType == elementType && Arrays.equals(a.values, values);
        }

        @Override
        public int hashCode() {
            return elementType.hashCode() * 31 + Arrays.hashCode(values);
        }
    }

    /** An ARRAY of STRING. */
    record StrArray(List<String> values) implements GgufValue {
        public StrArray {
            values = List.copyOf(values);
        }

        @Override
        public GgufValueType type() {
            return GgufValueType.ARRAY;
        }

        @Override
        public String display() {
            return "[STRING x " + values.size() + "]";
        }
    }

    /** An ARRAY of ARRAYs (rare; allowed by the format). */
    record NestedArray(List<GgufValue> values) implements GgufValue {
        public NestedArray {
            values = List.copyOf(values);
        }

        @Override
        public GgufValueType type() {
            return GgufValueType.ARRAY;
        }

        @Override
        public String display() {
            return "[ARRAY x " + values.size() + "]";
        }
    }
}
