package io.gptlens.core.gguf;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a GGUF file (version 3) in memory and writes it, in the layout {@link GgufFile}
 * documents. Metadata and tensors keep the order they were added in.
 *
 * <p>The file is written to a temporary name beside the target and moved into place when
 * complete, so a crash never leaves a half-written file under the final name.
 *
 * <p>Not thread-safe: build it on one thread.
 */
public final class GgufWriter {

    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();

    private record PendingTensor(String name, long[] shape, GgmlType type, byte[] data) {
    }

    /** Sets {@code key} to {@code value}, replacing an earlier value. */
    public GgufWriter put(String key, GgufValue value) {
        metadata.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
        return this;
    }

    public GgufWriter putString(String key, String value) {
        return put(key, new GgufValue.Str(value));
    }

    public GgufWriter putUInt32(String key, long value) {
        if (value < 0 || value > 0xFFFFFFFFL) {
            throw new IllegalArgumentException(key + " = " + value + " does not fit uint32");
        }
        return put(key, new GgufValue.Int(GgufValueType.UINT32, value));
    }

    public GgufWriter putInt32(String key, int value) {
        return put(key, new GgufValue.Int(GgufValueType.INT32, value));
    }

    public GgufWriter putFloat32(String key, float value) {
        return put(key, new GgufValue.Float(GgufValueType.FLOAT32, value));
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, new GgufValue.Bool(value));
    }

    public GgufWriter putStrings(String key, List<String> values) {
        return put(key, new GgufValue.StrArray(values));
    }

    public GgufWriter putFloats(String key, float[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = values[i];
        }
        return put(key, new GgufValue.FloatArray(GgufValueType.FLOAT32, d));
    }

    public GgufWriter putInts(String key, int[] values) {
        long[] l = new long[values.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = values[i];
        }
        return put(key, new GgufValue.IntArray(GgufValueType.INT32, l));
    }

    /** Adds an F32 tensor; {@code shape} in ggml order (row length first). */
    public GgufWriter addTensor(String name, float[] data, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        return addTensor(name, GgmlType.F32, b.array(), shape);
    }

    /**
     * Adds a tensor with already-encoded data.
     *
     * @throws IllegalArgumentException if the data length does not match the shape and type, or the name is taken
     */
    public GgufWriter addTensor(String name, GgmlType type, byte[] data, long... shape) {
        long elements = 1;
        for (long d : shape) {
            elements = Math.multiplyExact(elements, d);
        }
        if (shape.length < 1 || shape.length > GgufFile.MAX_DIMS) {
            throw new IllegalArgumentException(name + ": 1.." + GgufFile.MAX_DIMS + " dimensions, got " + shape.length);
        }
        if (type.byteSize(elements) != data.length) {
            throw new IllegalArgumentException("%s: %d elements of %s need %d bytes, got %d".formatted(name, elements, type, type.byteSize(elements), data.length));
        }
        if (tensors.stream().anyMatch(t -> t.name.equals(name))) {
            throw new IllegalArgumentException("Duplicate tensor " + name);
        }
        tensors.add(new PendingTensor(name, shape.clone(), type, data));
        return this;
    }

    /** Writes the file atomically (temporary file, then move). */
    public void write(Path target) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, target.getFileName().toString(), ".part");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                writeTo(out);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Writes the whole file to {@code out}. */
    public void writeTo(OutputStream out) throws IOException {
        int alignment = metadata.get("general.alignment") instanceof GgufValue.Int a ? (int) a.value() : GgufFile.DEFAULT_ALIGNMENT;
        Sink s = new Sink(out);
        s.u32(GgufFile.MAGIC);
        s.u32(3);
        s.u64(tensors.size());
        s.u64(metadata.size());
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            s.string(e.getKey());
            s.u32(typeOf(e.getValue()).id());
            s.value(e.getValue());
        }
        long offset = 0;
        for (PendingTensor t : tensors) {
            s.string(t.name);
            s.u32(t.shape.length);
            for (long d : t.shape) {
                s.u64(d);
            }
            s.u32(t.type.id());
            s.u64(offset);
            offset = GgufFile.align(offset + t.data.length, alignment);
        }
        s.pad(alignment);
        for (PendingTensor t : tensors) {
            s.bytes(t.data);
            s.pad(alignment);
        }
    }

    private static GgufValueType typeOf(GgufValue v) {
        return v.type();
    }

    private static final class Sink {
        private final OutputStream out;
        private final ByteBuffer buf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        private long written;

        Sink(OutputStream out) {
            this.out = out;
        }

        void u8(int v) throws IOException {
            out.write(v);
            written++;
        }

        void u16(int v) throws IOException {
            buf.clear();
            buf.putShort((short) v);
            bytes(buf.array(), 2);
        }

        void u32(int v) throws IOException {
            buf.clear();
            buf.putInt(v);
            bytes(buf.array(), 4);
        }

        void u64(long v) throws IOException {
            buf.clear();
            buf.putLong(v);
            bytes(buf.array(), 8);
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            bytes(b);
        }

        void bytes(byte[] b) throws IOException {
            bytes(b, b.length);
        }

        void bytes(byte[] b, int n) throws IOException {
            out.write(b, 0, n);
            written += n;
        }

        void pad(int alignment) throws IOException {
            while (written % alignment != 0) {
                u8(0);
            }
        }

        void scalar(GgufValueType t, long bits) throws IOException {
            switch (t.size()) {
                case 1 -> u8((int) bits);
                case 2 -> u16((int) bits);
                case 4 -> u32((int) bits);
                case 8 -> u64(bits);
                default -> throw new IllegalArgumentException("not a scalar: " + t);
            }
        }

        void value(GgufValue v) throws IOException {
            switch (v) {
                case GgufValue.Int i -> scalar(i.type(), i.value());
                case GgufValue.Float f -> scalar(f.type(), f.type() == GgufValueType.FLOAT32
                        ? Float.floatToRawIntBits((float) f.value()) : Double.doubleToRawLongBits(f.value()));
                case GgufValue.Bool b -> u8(b.value() ? 1 : 0);
                case GgufValue.Str s -> string(s.value());
                case GgufValue.IntArray a -> {
                    u32(a.elementType().id());
                    u64(a.size());
                    for (int i = 0; i < a.size(); i++) {
                        scalar(a.elementType(), a.get(i));
                    }
                }
                case GgufValue.FloatArray a -> {
                    u32(a.elementType().id());
                    u64(a.size());
                    for (int i = 0; i < a.size(); i++) {
                        scalar(a.elementType(), a.elementType() == GgufValueType.FLOAT32
                                ? Float.floatToRawIntBits((float) a.get(i)) : Double.doubleToRawLongBits(a.get(i)));
                    }
                }
                case GgufValue.StrArray a -> {
                    u32(GgufValueType.STRING.id());
                    u64(a.values().size());
                    for (String s : a.values()) {
                        string(s);
                    }
                }
                case GgufValue.NestedArray a -> {
                    u32(GgufValueType.ARRAY.id());
                    u64(a.values().size());
                    for (GgufValue inner : a.values()) {
                        value(inner);
                    }
                }
            }
        }
    }
}
