package io.gptlens.llamacpp;

import io.gptlens.llamacpp.internal.Llama;
import io.gptlens.llamacpp.internal.NativeLibrary;

import java.nio.file.Path;

/**
 * The llama.cpp native library as a whole: where it was loaded from and what it can do.
 * Loading happens once per JVM, on first use of any class of this package that needs it.
 * See {@link NativeLibrary} for where it looks ({@code -Dgptlens.llama.path}, {@code GPTLENS_LLAMA_PATH},
 * then the bundled CPU build).
 */
public final class LlamaLibrary {

    private LlamaLibrary() {
    }

    /**
     * Loads llama.cpp if it is not loaded yet.
     *
     * @return the folder the libraries came from
     * @throws LlamaLibraryException if they cannot be found or loaded, listing every path tried
     */
    public static Path load() {
        return NativeLibrary.get().directory();
    }

    /** llama.cpp's description of the CPU features and backends in use. */
    public static String systemInfo() {
        load();
        return Llama.systemInfo();
    }
}
