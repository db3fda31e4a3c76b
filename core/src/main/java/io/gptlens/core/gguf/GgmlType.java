package io.gptlens.core.gguf;

/**
 * The tensor element types of ggml, as numbered in {@code ggml.h} ({@code enum ggml_type}).
 *
 * <p>Every type is stored in blocks: {@link #blockSize()} elements take {@link #typeSize()} bytes.
 * Plain types have a block of one element. Ids 4, 5 and 31–33, 36–38 were retired by ggml and are
 * not valid in a GGUF file.
 *
 * <p>Format facts live here and nowhere else. A test in {@code runtime-native} checks each entry
 * against {@code ggml_blck_size}/{@code ggml_type_size} of the bundled library.
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q4_1(3, 32, 20),
    Q5_0(6, 32, 22),
    Q5_1(7, 32, 24),
    Q8_0(8, 32, 34),
    Q8_1(9, 32, 36),
    Q2_K(10, 256, 84),
    Q3_K(11, 256, 110),
    Q4_K(12, 256, 144),
    Q5_K(13, 256, 176),
    Q6_K(14, 256, 210),
    Q8_K(15, 256, 292),
    IQ2_XXS(16, 256, 66),
    IQ2_XS(17, 256, 74),
    IQ3_XXS(18, 256, 98),
    IQ1_S(19, 256, 50),
    IQ4_NL(20, 32, 18),
    IQ3_S(21, 256, 110),
    IQ2_S(22, 256, 82),
    IQ4_XS(23, 256, 136),
    I8(24, 1, 1),
    I16(25, 1, 2),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    IQ1_M(29, 256, 56),
    BF16(30, 1, 2),
    TQ1_0(34, 256, 54),
    TQ2_0(35, 256, 66),
    MXFP4(39, 32, 17),
    NVFP4(40, 64, 36),
    Q1_0(41, 128, 18),
    Q2_0(42, 64, 18);

    private static final GgmlType[] BY_ID = new GgmlType[64];

    static {
        for (GgmlType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;
    private final int blockSize;
    private final int typeSize;

    GgmlType(int id, int blockSize, int typeSize) {
        this.id = id;
        this.blockSize = blockSize;
        this.typeSize = typeSize;
    }

    /** The numeric id used in GGUF files and in {@code ggml.h}. */
    public int id() {
        return id;
    }

    /** Elements per block. */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int typeSize() {
        return typeSize;
    }

    /**
     * Bytes taken by {@code elements} elements of this type.
     *
     * @throws IllegalArgumentException if {@code elements} is negative or not a whole number of blocks
     * @throws ArithmeticException on overflow
     */
    public long byteSize(long elements) {
        if (elements < 0 || elements % blockSize != 0) {
            throw new IllegalArgumentException(
                    "%d elements of %s: must be a non-negative multiple of the block size %d".formatted(elements, this, blockSize));
        }
        return Math.multiplyExact(elements / blockSize, (long) typeSize);
    }

    /**
     * The type with the given id.
     *
     * @throws IllegalArgumentException for an id ggml does not define (or has retired)
     */
    public static GgmlType fromId(int id) {
        GgmlType t = id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
        if (t == null) {
            throw new IllegalArgumentException("Unknown ggml type id " + id);
        }
        return t;
    }
}
