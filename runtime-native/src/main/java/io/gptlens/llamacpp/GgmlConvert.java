package io.gptlens.llamacpp;

import io.gptlens.core.gguf.Dequantizer;
import io.gptlens.core.gguf.GgmlType;
import io.gptlens.llamacpp.internal.Layouts;
import io.gptlens.llamacpp.internal.Llama;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.ConcurrentHashMap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Dequantizes any ggml type to floats: in Java where {@link Dequantizer} handles the type, else
 * through ggml's own {@code to_float} from {@code ggml_get_type_traits}. Thread-safe.
 */
public final class GgmlConvert {

    private static final ConcurrentHashMap<GgmlType, MethodHandle> TO_FLOAT = new ConcurrentHashMap<>();

    private GgmlConvert() {
    }

    /** ggml's block size for a type, from the library. */
    public static long blockSize(GgmlType t) {
        LlamaLibrary.load();
        return Llama.ggmlBlockSize(t.id());
    }

    /** ggml's bytes per block for a type, from the library. */
    public static long typeSize(GgmlType t) {
        LlamaLibrary.load();
        return Llama.ggmlTypeSize(t.id());
    }

    /**
     * Decodes {@code out.length} elements of {@code type} from {@code src}.
     *
     * @throws UnsupportedOperationException if ggml has no conversion to float for the type
     */
    public static void toFloat(GgmlType type, MemorySegment src, float[] out) {
        if (Dequantizer.supports(type)) {
            Dequantizer.dequantize(type, src, out);
            return;
        }
        long need = type.byteSize(out.length);
        if (src.byteSize() != need) {
            throw new IllegalArgumentException("%s: %d elements need %d bytes, got %d".formatted(type, out.length, need, src.byteSize()));
        }
        MethodHandle h = TO_FLOAT.computeIfAbsent(type, GgmlConvert::bind);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(need, 64);
            MemorySegment.copy(src, 0, in, 0, need);
            MemorySegment dst = arena.allocate(ValueLayout.JAVA_FLOAT, out.length);
            h.invokeExact(in, dst, (long) out.length);
            MemorySegment.copy(dst, ValueLayout.JAVA_FLOAT, 0, out, 0, out.length);
        } catch (Throwable t) {
            throw t instanceof RuntimeException r ? r : new IllegalStateException(t);
        }
    }

    private static MethodHandle bind(GgmlType type) {
        LlamaLibrary.load();
        MemorySegment traits = Llama.ggmlTypeTraits(type.id()).reinterpret(Layouts.GGML_TYPE_TRAITS.byteSize());
        MemorySegment fn = traits.get(ADDRESS, Layouts.offset(Layouts.GGML_TYPE_TRAITS, "to_float"));
        if (fn.equals(MemorySegment.NULL)) {
            throw new UnsupportedOperationException("ggml has no conversion to float for " + type);
        }
        // typedef void (*ggml_to_float_t)(const void * x, float * y, int64_t k);
        return Llama.bind(fn, FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, JAVA_LONG));
    }
}
