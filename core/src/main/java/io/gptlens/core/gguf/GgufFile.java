package io.gptlens.core.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GGUF file, memory-mapped and validated.
 *
 * <h2>The format (version 3, little-endian), as parsed here</h2>
 * <ol>
 *   <li>{@code uint32 magic} = {@code "GGUF"} (0x46554747 read little-endian).</li>
 *   <li>{@code uint32 version}: 2 or 3 (version 1 used 32-bit counts and is refused).</li>
 *   <li>{@code uint64 tensor_count}, {@code uint64 metadata_kv_count}.</li>
 *   <li>{@code metadata_kv_count} times: {@code string key}, {@code uint32 value_type}
 *       ({@link GgufValueType}), the value. A {@code string} is {@code uint64 length} followed by
 *       that many UTF-8 bytes (no terminator). An array is {@code uint32 element_type},
 *       {@code uint64 count}, then the elements.</li>
 *   <li>{@code tensor_count} times: {@code string name}, {@code uint32 n_dims} (1..4),
 *       {@code uint64 dims[n_dims]} (fastest-varying first), {@code uint32 type} ({@link GgmlType}),
 *       {@code uint64 offset} (relative to the data section, a multiple of the alignment).</li>
 *   <li>Padding up to the alignment ({@code general.alignment}, a uint32 power of two; default 32),
 *       then the data section: each tensor's bytes at its offset.</li>
 * </ol>
 *
 * <p>Every count, length and offset is checked against the bytes that remain in the file and
 * against the limits below before anything is allocated, so a hostile file produces a
 * {@link GgufException} naming the file, the field, the value and the limit, never an
 * {@code OutOfMemoryError}.
 *
 * <p><b>Thread-safety and ownership:</b> immutable after {@link #open}; safe to read from several
 * threads. The file owns its mapping; {@link #close()} unmaps it, after which
 * {@link #tensorData} throws {@link IllegalStateException}. Closing twice is allowed.
 */
public final class GgufFile implements AutoCloseable {

    /** "GGUF" as a little-endian uint32. */
    public static final int MAGIC = 0x46554747;
    /** The alignment used when {@code general.alignment} is absent. */
    public static final int DEFAULT_ALIGNMENT = 32;
    /** ggml's GGML_MAX_DIMS. */
    public static final int MAX_DIMS = 4;
    /** Upper bound on the number of tensors accepted. */
    public static final long MAX_TENSORS = 1 << 20;
    /** Upper bound on the number of metadata entries accepted. */
    public static final long MAX_KV = 1 << 20;
    /** Upper bound on one string's length in bytes. */
    public static final long MAX_STRING = 1L << 30;

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final int version;
    private final Map<String, GgufValue> metadata;
    private final Map<String, TensorInfo> tensors;
    private final int alignment;
    private final long dataOffset;
    private final long fileSize;
    private final Arena arena;
    private final MemorySegment mapped;

    private GgufFile(Path path, int version, Map<String, GgufValue> metadata, Map<String, TensorInfo> tensors,
                     int alignment, long dataOffset, long fileSize, Arena arena, MemorySegment mapped) {
        this.path = path;
        this.version = version;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.tensors = Collections.unmodifiableMap(tensors);
        this.alignment = alignment;
        this.dataOffset = dataOffset;
        this.fileSize = fileSize;
        this.arena = arena;
        this.mapped = mapped;
    }

    /**
     * Maps and validates a GGUF file.
     *
     * @throws GgufException if the file is not valid GGUF or breaks a limit
     * @throws IOException   if it cannot be read
     */
    public static GgufFile open(Path path) throws IOException {
        long size = Files.size(path);
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment seg = size == 0 ? MemorySegment.NULL.reinterpret(0) : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            GgufFile f = new Parser(path, seg).parse(arena);
            return f;
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Where the file was read from. */
    public Path path() {
        return path;
    }

    /** The format version (2 or 3). */
    public int version() {
        return version;
    }

    /** All metadata in file order (unmodifiable). */
    public Map<String, GgufValue> metadata() {
        return metadata;
    }

    /** All tensors in file order, by name (unmodifiable). */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The data section's alignment in bytes. */
    public int alignment() {
        return alignment;
    }

    /** Absolute offset of the data section in the file. */
    public long dataOffset() {
        return dataOffset;
    }

    /** Size of the file in bytes. */
    public long fileSize() {
        return fileSize;
    }

    /** The value of {@code key}, if present. */
    public Optional<GgufValue> get(String key) {
        return Optional.ofNullable(metadata.get(key));
    }

    /** The string value of {@code key}, if present and a string. */
    public Optional<String> getString(String key) {
        return get(key).filter(v -> v instanceof GgufValue.Str).map(v -> ((GgufValue.Str) v).value());
    }

    /** The integer value of {@code key}, if present and an integer. */
    public Optional<Long> getLong(String key) {
        return get(key).filter(v -> v instanceof GgufValue.Int).map(GgufValue::asLong);
    }

    /** {@code general.architecture}, e.g. "llama", or "" if absent. */
    public String architecture() {
        return getString("general.architecture").orElse("");
    }

    /** The tensor called {@code name}, if any. */
    public Optional<TensorInfo> tensor(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /**
     * The bytes of a tensor, a read-only view of the mapping (valid until {@link #close()}).
     *
     * @throws IllegalStateException if the file was closed
     */
    public MemorySegment tensorData(TensorInfo t) {
        if (!arena.scope().isAlive()) {
            throw new IllegalStateException("GGUF file closed: " + path);
        }
        return mapped.asSlice(dataOffset + t.offset(), t.byteSize()).asReadOnly();
    }

    /**
     * One row of a 2-D (or higher) tensor as floats, dequantized in Java.
     *
     * @throws UnsupportedOperationException if {@link Dequantizer#supports} is false for the type
     * @throws IndexOutOfBoundsException     if {@code row} is out of range
     */
    public float[] row(TensorInfo t, long row) {
        if (row < 0 || row >= t.rowCount()) {
            throw new IndexOutOfBoundsException("row " + row + " of " + t.name() + " with " + t.rowCount() + " rows");
        }
        long rowBytes = t.type().byteSize(t.rowLength());
        MemorySegment src = tensorData(t).asSlice(row * rowBytes, rowBytes);
        float[] out = new float[Math.toIntExact(t.rowLength())];
        Dequantizer.dequantize(t.type(), src, out);
        return out;
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "GgufFile[" + path + ", v" + version + ", " + metadata.size() + " kv, " + tensors.size() + " tensors]";
    }

    /** Reads the header, metadata and tensor directory with bounds checks. */
    private static final class Parser {
        private final Path path;
        private final MemorySegment seg;
        private final long size;
        private long pos;

        Parser(Path path, MemorySegment seg) {
            this.path = path;
            this.seg = seg;
            this.size = seg.byteSize();
        }

        GgufFile parse(Arena arena) throws GgufException {
            need(4, "magic");
            int magic = seg.get(U32, pos);
            pos += 4;
            if (magic != MAGIC) {
                throw error("bad magic 0x%08x (expected 0x%08x, \"GGUF\"): not a GGUF file".formatted(magic, MAGIC));
            }
            int version = u32("version");
            if (version != 2 && version != 3) {
                throw error("unsupported GGUF version " + Integer.toUnsignedString(version) + "; supported: 2, 3");
            }
            long nTensors = u64("tensor_count");
            long nKv = u64("metadata_kv_count");
            if (nTensors < 0 || nTensors > MAX_TENSORS) {
                throw error("tensor_count " + Long.toUnsignedString(nTensors) + " exceeds the limit " + MAX_TENSORS);
            }
            if (nKv < 0 || nKv > MAX_KV) {
                throw error("metadata_kv_count " + Long.toUnsignedString(nKv) + " exceeds the limit " + MAX_KV);
            }
            Map<String, GgufValue> kv = new LinkedHashMap<>();
            for (long i = 0; i < nKv; i++) {
                String key = string("key of metadata entry " + i);
                int typeId = u32("type of '" + key + "'");
                GgufValue value = value(key, typeId, 0);
                if (kv.put(key, value) != null) {
                    throw error("duplicate metadata key '" + key + "'");
                }
            }
            int alignment = DEFAULT_ALIGNMENT;
            GgufValue a = kv.get("general.alignment");
            if (a != null) {
                if (!(a instanceof GgufValue.Int ai) || ai.asLong() <= 0 || Long.bitCount(ai.asLong()) != 1 || ai.asLong() > (1 << 20)) {
                    throw error("general.alignment = " + a.display() + " must be a power of two between 1 and " + (1 << 20));
                }
                alignment = (int) ai.asLong();
            }
            List<TensorInfo> infos = new ArrayList<>();
            Map<String, TensorInfo> tensors = new LinkedHashMap<>();
            for (long i = 0; i < nTensors; i++) {
                String name = string("name of tensor " + i);
                int nDims = u32("n_dims of tensor '" + name + "'");
                if (nDims < 1 || nDims > MAX_DIMS) {
                    throw error("tensor '" + name + "' has n_dims " + Integer.toUnsignedString(nDims) + "; allowed: 1.." + MAX_DIMS);
                }
                long[] shape = new long[nDims];
                long elements = 1;
                for (int d = 0; d < nDims; d++) {
                    shape[d] = u64("dimension " + d + " of tensor '" + name + "'");
                    if (shape[d] < 0) {
                        throw error("tensor '" + name + "' dimension " + d + " = " + Long.toUnsignedString(shape[d]) + " exceeds " + Long.MAX_VALUE);
                    }
                    try {
                        elements = Math.multiplyExact(elements, shape[d]);
                    } catch (ArithmeticException e) {
                        throw error("tensor '" + name + "' shape overflows 64 bits");
                    }
                }
                int typeId = u32("type of tensor '" + name + "'");
                GgmlType type;
                try {
                    type = GgmlType.fromId(typeId);
                } catch (IllegalArgumentException e) {
                    throw error("tensor '" + name + "' has unknown ggml type " + Integer.toUnsignedString(typeId));
                }
                if (shape[0] % type.blockSize() != 0) {
                    throw error("tensor '" + name + "' row length " + shape[0] + " is not a multiple of " + type + "'s block size " + type.blockSize());
                }
                long offset = u64("offset of tensor '" + name + "'");
                if (offset < 0 || offset % alignment != 0) {
                    throw error("tensor '" + name + "' offset " + Long.toUnsignedString(offset) + " is not a multiple of the alignment " + alignment);
                }
                TensorInfo t = new TensorInfo(name, shape, type, offset);
                if (tensors.put(name, t) != null) {
                    throw error("duplicate tensor name '" + name + "'");
                }
                infos.add(t);
            }
            long dataOffset = align(pos, alignment);
            long dataSize = size - Math.min(size, dataOffset);
            for (TensorInfo t : infos) {
                long bytes;
                try {
                    bytes = t.byteSize();
                } catch (ArithmeticException e) {
                    throw error("tensor '" + t.name() + "' byte size overflows 64 bits");
                }
                if (t.offset() > dataSize || bytes > dataSize - t.offset()) {
                    throw error("tensor '%s' (%s, %d bytes at data offset %d) extends past the end of the file: data section holds %d bytes"
                            .formatted(t.name(), t.type(), bytes, t.offset(), dataSize));
                }
            }
            return new GgufFile(path, version, kv, tensors, alignment, dataOffset, size, arena, seg);
        }

        private GgufValue value(String key, int typeId, int depth) throws GgufException {
            GgufValueType type = GgufValueType.fromId(typeId);
            if (type == null) {
                throw error("metadata '" + key + "' has unknown value type " + Integer.toUnsignedString(typeId));
            }
            return switch (type) {
                case UINT8 -> new GgufValue.Int(type, u8(key));
                case INT8 -> new GgufValue.Int(type, (byte) u8(key));
                case UINT16 -> new GgufValue.Int(type, u16(key) & 0xFFFF);
                case INT16 -> new GgufValue.Int(type, (short) u16(key));
                case UINT32 -> new GgufValue.Int(type, u32(key) & 0xFFFFFFFFL);
                case INT32 -> new GgufValue.Int(type, u32(key));
                case UINT64, INT64 -> new GgufValue.Int(type, u64(key));
                case FLOAT32 -> new GgufValue.Float(type, java.lang.Float.intBitsToFloat(u32(key)));
                case FLOAT64 -> new GgufValue.Float(type, Double.longBitsToDouble(u64(key)));
                case BOOL -> {
                    int b = u8(key);
                    if (b > 1) {
                        throw error("metadata '" + key + "' is a bool with byte value " + b + "; allowed: 0, 1");
                    }
                    yield new GgufValue.Bool(b == 1);
                }
                case STRING -> new GgufValue.Str(string(key));
                case ARRAY -> array(key, depth);
            };
        }

        private GgufValue array(String key, int depth) throws GgufException {
            if (depth > 2) {
                throw error("metadata '" + key + "' nests arrays deeper than 2 levels");
            }
            int elemId = u32("element type of '" + key + "'");
            GgufValueType et = GgufValueType.fromId(elemId);
            if (et == null) {
                throw error("array '" + key + "' has unknown element type " + Integer.toUnsignedString(elemId));
            }
            long n = u64("length of array '" + key + "'");
            long minBytes = et.size() > 0 ? et.size() : 8; // strings and arrays take at least 8 bytes
            if (n < 0 || n > (size - pos) / minBytes || n > Integer.MAX_VALUE - 8) {
                throw error("array '%s' claims %s elements of %s but only %d bytes remain".formatted(key, Long.toUnsignedString(n), et, size - pos));
            }
            int count = (int) n;
            switch (et) {
                case STRING -> {
                    List<String> list = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        list.add(string(key + "[" + i + "]"));
                    }
                    return new GgufValue.StrArray(list);
                }
                case FLOAT32, FLOAT64 -> {
                    double[] v = new double[count];
                    for (int i = 0; i < count; i++) {
                        v[i] = et == GgufValueType.FLOAT32 ? java.lang.Float.intBitsToFloat(u32(key)) : Double.longBitsToDouble(u64(key));
                    }
                    return new GgufValue.FloatArray(et, v);
                }
                case ARRAY -> {
                    List<GgufValue> list = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        list.add(array(key + "[" + i + "]", depth + 1));
                    }
                    return new GgufValue.NestedArray(list);
                }
                default -> {
                    long[] v = new long[count];
                    for (int i = 0; i < count; i++) {
                        v[i] = value(key, et.id(), depth + 1).asLong();
                    }
                    return new GgufValue.IntArray(et, v);
                }
            }
        }

        private String string(String what) throws GgufException {
            long len = u64("length of " + what);
            if (len < 0 || len > MAX_STRING) {
                throw error("string " + what + " has length " + Long.toUnsignedString(len) + "; limit " + MAX_STRING);
            }
            need(len, what);
            byte[] bytes = seg.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
            pos += len;
            return new String(bytes, StandardCharsets.UTF_8);
        }

        private int u8(String what) throws GgufException {
            need(1, what);
            return seg.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF;
        }

        private short u16(String what) throws GgufException {
            need(2, what);
            short v = seg.get(U16, pos);
            pos += 2;
            return v;
        }

        private int u32(String what) throws GgufException {
            need(4, what);
            int v = seg.get(U32, pos);
            pos += 4;
            return v;
        }

        private long u64(String what) throws GgufException {
            need(8, what);
            long v = seg.get(U64, pos);
            pos += 8;
            return v;
        }

        private void need(long n, String what) throws GgufException {
            if (n > size - pos) {
                throw error("truncated: " + what + " needs " + n + " bytes at offset " + pos + " but the file has " + size + " bytes");
            }
        }

        private GgufException error(String message) {
            return new GgufException("Invalid GGUF file " + path + ": " + message);
        }
    }

    static long align(long offset, int alignment) {
        return (offset + alignment - 1) / alignment * alignment;
    }
}
