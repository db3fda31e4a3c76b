package io.gptlens.core.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Converts ggml-encoded data to floats in Java, for the types whose layout is simple enough to
 * keep here: F32, F16, BF16, Q8_0 and Q4_0. Other types go through ggml's own conversion
 * ({@code runtime-native}).
 *
 * <p>Block layouts (from {@code ggml-common.h}):
 * <ul>
 *   <li>Q8_0: {@code fp16 d; int8 qs[32]}; {@code x[i] = d * qs[i]}.</li>
 *   <li>Q4_0: {@code fp16 d; uint8 qs[16]}; {@code x[i] = d * ((qs[i] & 0xF) - 8)} and
 *       {@code x[i + 16] = d * ((qs[i] >> 4) - 8)} for {@code i < 16}.</li>
 *   <li>BF16: the upper 16 bits of an IEEE float.</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class Dequantizer {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort S16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Dequantizer() {
    }

    /** True if {@link #dequantize} handles {@code type}. */
    public static boolean supports(GgmlType type) {
        return switch (type) {
            case F32, F16, BF16, Q8_0, Q4_0 -> true;
            default -> false;
        };
    }

    /**
     * Decodes {@code out.length} elements of {@code type} from {@code src}.
     *
     * @throws UnsupportedOperationException for a type this class does not handle
     * @throws IllegalArgumentException      if {@code src} is not exactly the bytes of {@code out.length} elements
     */
    public static void dequantize(GgmlType type, MemorySegment src, float[] out) {
        long expected = type.byteSize(out.length);
        if (src.byteSize() != expected) {
            throw new IllegalArgumentException("%s: %d elements need %d bytes, got %d".formatted(type, out.length, expected, src.byteSize()));
        }
        switch (type) {
            case F32 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = src.get(F32, 4L * i);
                }
            }
            case F16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.float16ToFloat(src.get(S16, 2L * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float.intBitsToFloat((src.get(S16, 2L * i) & 0xFFFF) << 16);
                }
            }
            case Q8_0 -> {
                int blocks = out.length / 32;
                for (int b = 0; b < blocks; b++) {
                    long base = 34L * b;
                    float d = Float.float16ToFloat(src.get(S16, base));
                    for (int i = 0; i < 32; i++) {
                        out[b * 32 + i] = d * src.get(ValueLayout.JAVA_BYTE, base + 2 + i);
                    }
                }
            }
            case Q4_0 -> {
                int blocks = out.length / 32;
                for (int b = 0; b < blocks; b++) {
                    long base = 18L * b;
                    float d = Float.float16ToFloat(src.get(S16, base));
                    for (int i = 0; i < 16; i++) {
                        int q = src.get(ValueLayout.JAVA_BYTE, base + 2 + i) & 0xFF;
                        out[b * 32 + i] = d * ((q & 0x0F) - 8);
                        out[b * 32 + i + 16] = d * ((q >>> 4) - 8);
                    }
                }
            }
            default -> throw new UnsupportedOperationException(
                    "No Java dequantizer for " + type + "; supported: F32, F16, BF16, Q8_0, Q4_0 (others go through ggml)");
        }
    }

    /**
     * Encodes floats as Q8_0 the way ggml's reference quantizer does: per block of 32,
     * {@code d = max|x| / 127}, {@code q = round(x / d)}.
     *
     * @param x floats, a multiple of 32 in length
     * @return {@code x.length / 32 * 34} bytes
     */
    public static byte[] quantizeQ8_0(float[] x) {
        if (x.length % 32 != 0) {
            throw new IllegalArgumentException("Q8_0 needs a multiple of 32 elements, got " + x.length);
        }
        byte[] out = new byte[x.length / 32 * 34];
        MemorySegment dst = MemorySegment.ofArray(out);
        for (int b = 0; b < x.length / 32; b++) {
            float amax = 0;
            for (int i = 0; i < 32; i++) {
                amax = Math.max(amax, Math.abs(x[b * 32 + i]));
            }
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            dst.set(S16, 34L * b, Float.floatToFloat16(d));
            for (int i = 0; i < 32; i++) {
                out[34 * b + 2 + i] = (byte) Math.round(x[b * 32 + i] * id);
            }
        }
        return out;
    }
}
