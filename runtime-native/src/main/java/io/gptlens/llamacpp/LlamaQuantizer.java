package io.gptlens.llamacpp;

import io.gptlens.llamacpp.internal.Layouts;
import io.gptlens.llamacpp.internal.Llama;
import io.gptlens.llamacpp.internal.LlamaLog;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Quantizes a GGUF model with llama.cpp's {@code llama_model_quantize}. Thread-safe. */
public final class LlamaQuantizer {

    /** Target file types ({@code enum llama_ftype}). */
    public enum FileType {
        F32(0), F16(1), Q4_0(2), Q8_0(7), Q4_K_M(15), Q4_K_S(14), Q5_K_M(17), Q6_K(18);

        private final int id;

        FileType(int id) {
            this.id = id;
        }
    }

    private LlamaQuantizer() {
    }

    /**
     * Writes a quantized copy of {@code in} to {@code out} (via a temporary file and a move).
     *
     * @throws IOException if llama.cpp refuses the input, with what it said
     */
    public static void quantize(Path in, Path out, FileType type, int threads) throws IOException {
        LlamaLibrary.load();
        Path tmp = out.resolveSibling(out.getFileName() + ".part");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = Llama.quantizeDefaultParams(arena);
            p.set(ValueLayout.JAVA_INT, Layouts.offset(Layouts.QUANTIZE_PARAMS, "nthread"), threads);
            p.set(ValueLayout.JAVA_INT, Layouts.offset(Layouts.QUANTIZE_PARAMS, "ftype"), type.id);
            LlamaLog.clearRecent();
            int rc = Llama.quantize(arena.allocateFrom(in.toString()), arena.allocateFrom(tmp.toString()), p);
            if (rc != 0) {
                throw new IOException("llama.cpp could not quantize " + in + " to " + type + LlamaLog.recentSuffix());
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
